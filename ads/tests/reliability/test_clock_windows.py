"""Two windows of one schedule across both 2026 DST changes in New York, worked out by hand.

Every day 00:30–02:30 and Sundays 03:00–04:00, America/New_York. 2026-03-08 and 2026-11-01 are
Sundays: spring forward skips 02:00–03:00 (EST, UTC-5, to EDT, UTC-4); fall back repeats
01:00–02:00 (EDT to EST at 06:00Z). Judged by should_campaign_be_active and by the
enforce_dayparting task body at each instant, the clock pinned.
"""

from datetime import time

import time_machine
from django.test import TestCase

from ads.models import DaypartingWindow
from ads.services import CampaignService
from ads.tasks import enforce_dayparting
from ads.tests.builders import is_active, make_brand, make_campaign, make_schedule, utc

CASES = [
    # Spring forward, Sunday 2026-03-08.
    ("2026-03-08T05:29:59", False),  # 00:29:59 EST
    ("2026-03-08T05:30:00", True),  # 00:30 EST: the first window opens
    ("2026-03-08T06:59:59", True),  # 01:59:59 EST
    (
        "2026-03-08T07:00:00",
        True,
    ),  # 03:00 EDT: the first window's 02:00-02:30 never was; the second opens
    ("2026-03-08T07:59:59", True),  # 03:59:59 EDT
    ("2026-03-08T08:00:00", False),  # 04:00 EDT
    ("2026-03-09T07:00:00", False),  # Monday 03:00 EDT: the second window is Sundays only
    ("2026-03-09T04:30:00", True),  # Monday 00:30 EDT
    # Fall back, Sunday 2026-11-01.
    ("2026-11-01T04:29:59", False),  # 00:29:59 EDT
    ("2026-11-01T04:30:00", True),  # 00:30 EDT
    ("2026-11-01T05:59:59", True),  # 01:59:59 EDT
    ("2026-11-01T06:00:00", True),  # 01:00 EST, the second time
    ("2026-11-01T07:29:59", True),  # 02:29:59 EST
    ("2026-11-01T07:30:00", False),  # 02:30 EST: between the windows
    ("2026-11-01T08:00:00", True),  # 03:00 EST: the Sunday window
    ("2026-11-01T08:59:59", True),  # 03:59:59 EST
    ("2026-11-01T09:00:00", False),  # 04:00 EST
]


class TwoWindowsAcrossDstTests(TestCase):
    def test_each_instant_is_judged_on_new_yorks_wall_clock(self) -> None:
        campaign = make_campaign(make_brand(timezone="America/New_York"))
        schedule = make_schedule(campaign, time(0, 30), time(2, 30))
        DaypartingWindow.objects.create(
            schedule=schedule, start_time=time(3), end_time=time(4), days_of_week=[6]
        )
        for instant, expected in CASES:
            with self.subTest(instant=instant), time_machine.travel(utc(instant), tick=False):
                verdict, reasons = CampaignService.should_campaign_be_active(campaign)
                enforce_dayparting()
                self.assertEqual(verdict, expected, reasons)
                self.assertEqual(reasons, [] if expected else ["Outside dayparting window"])
                self.assertIs(is_active(campaign), expected)
