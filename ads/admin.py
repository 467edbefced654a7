"""Admin registrations. Ledger rows and status history are read-only for everyone."""

from django.contrib import admin

from ads.models import (
    Brand,
    Campaign,
    CampaignStatusChange,
    DaypartingSchedule,
    SpendLog,
    TotalsCorrection,
)

admin.site.register(Brand)
admin.site.register(Campaign)
admin.site.register(DaypartingSchedule)
admin.site.register(SpendLog)
admin.site.register(CampaignStatusChange)
admin.site.register(TotalsCorrection)
