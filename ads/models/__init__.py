"""Brands, campaigns, the spend ledger, dayparting schedules and the history around them.

Models hold data, constraints and small properties; the rules live in `ads.services` (writes),
`ads.selectors` (reads) and `ads.rules` (pure verdicts). Fields the system maintains (spend
totals, `is_active`) are never written back by an ordinary `save()`: an object loaded before
later spends must not undo them. One module per family; every name is importable from here.
"""

from ads.models.alerts import BudgetAlert
from ads.models.api import ApiKey, IdempotentResponse
from ads.models.brand import Brand, default_timezone
from ads.models.campaign import Campaign, DaypartingSchedule, DaypartingWindow, all_days
from ads.models.events import Delivery, DeliveryAttempt, Event, WebhookEndpoint
from ads.models.history import CampaignStatusChange
from ads.models.ledger import SpendLog, TotalsCorrection
from ads.models.sweeps import SweepCursor

__all__ = [
    "ApiKey",
    "Brand",
    "BudgetAlert",
    "Campaign",
    "CampaignStatusChange",
    "DaypartingSchedule",
    "DaypartingWindow",
    "Delivery",
    "DeliveryAttempt",
    "Event",
    "IdempotentResponse",
    "SpendLog",
    "SweepCursor",
    "TotalsCorrection",
    "WebhookEndpoint",
    "all_days",
    "default_timezone",
]
