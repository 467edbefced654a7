"""Date formats of the site (English): every date and time shown names its zone.

The admin shows times in settings.TIME_ZONE (UTC by default) and reads the times typed into
it in the same zone; a time without its zone is ambiguous for a team that works across zones.
Only what differs from Django's English formats is here.
"""

DATETIME_FORMAT = "Y-m-d H:i:s T"
SHORT_DATETIME_FORMAT = "Y-m-d H:i T"
