"""The admin an ad-ops team works in, one module per page family.

List pages read everything set-based (annotations, select_related, one read of the campaigns'
facts per page), so a page costs the same number of queries whatever the number of rows. Every
write goes through the services: spend through `BudgetService.record_spend`, the operator's
switch through `CampaignService.set_enabled`. Ledger rows and history are read-only for everyone.

`brands`, `campaigns`, `spend` (the ledger and its CSV export) and `history` (status changes,
corrections) register their pages when Django's autodiscover imports this package; `filters`,
`columns`, `deletion`, `search` and `forms` are the pieces they share.
"""

from django.contrib import admin

from ads.admin.alerts import BudgetAlertAdmin
from ads.admin.api_keys import ApiKeyAdmin
from ads.admin.brands import BrandAdmin
from ads.admin.campaigns import CampaignAdmin
from ads.admin.history import CampaignStatusChangeAdmin, TotalsCorrectionAdmin
from ads.admin.schedules import DaypartingScheduleAdmin
from ads.admin.spend import SpendLogAdmin
from ads.admin.webhooks import DeliveryAdmin, EventAdmin, WebhookEndpointAdmin

admin.site.site_header = "Ad budgets"
admin.site.site_title = "Ad budgets"
admin.site.index_title = "Brands, campaigns and spend"

__all__ = [
    "ApiKeyAdmin",
    "BrandAdmin",
    "BudgetAlertAdmin",
    "CampaignAdmin",
    "CampaignStatusChangeAdmin",
    "DaypartingScheduleAdmin",
    "DeliveryAdmin",
    "EventAdmin",
    "SpendLogAdmin",
    "TotalsCorrectionAdmin",
    "WebhookEndpointAdmin",
]
