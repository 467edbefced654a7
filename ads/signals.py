"""Receivers: thin hooks that hand every write to the service that owns its rule."""

from typing import Any

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from ads.models import Brand, Campaign, DaypartingSchedule, SpendLog
from ads.services import BudgetService, CampaignService


@receiver(post_save, sender=SpendLog, dispatch_uid="ads.roll_up_spend")
def roll_up_spend(sender: type[SpendLog], instance: SpendLog, created: bool, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        BudgetService.apply_spend(instance)


@receiver(post_save, sender=Brand, dispatch_uid="ads.brand_saved")
def brand_saved(sender: type[Brand], instance: Brand, created: bool, **kwargs: Any) -> None:
    if not created and not kwargs.get("raw"):
        BudgetService.refresh_brand(instance)


@receiver(pre_save, sender=Campaign, dispatch_uid="ads.lock_before_campaign_save")
def lock_before_campaign_save(sender: type[Campaign], instance: Campaign, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        CampaignService.lock_for_save(instance)


@receiver(pre_save, sender=DaypartingSchedule, dispatch_uid="ads.lock_before_schedule_save")
def lock_before_schedule_save(
    sender: type[DaypartingSchedule], instance: DaypartingSchedule, **kwargs: Any
) -> None:
    if not kwargs.get("raw"):
        CampaignService.lock_brand(instance.campaign.brand_id)


@receiver(post_save, sender=Campaign, dispatch_uid="ads.campaign_saved")
def campaign_saved(sender: type[Campaign], instance: Campaign, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        CampaignService.reevaluate_after_edit(instance.pk)
        instance.refresh_from_db(fields=["is_active"])


@receiver(post_save, sender=DaypartingSchedule, dispatch_uid="ads.schedule_saved")
def schedule_saved(
    sender: type[DaypartingSchedule], instance: DaypartingSchedule, **kwargs: Any
) -> None:
    if not kwargs.get("raw"):
        CampaignService.reevaluate_after_edit(instance.campaign_id)


@receiver(post_delete, sender=DaypartingSchedule, dispatch_uid="ads.schedule_deleted")
def schedule_deleted(
    sender: type[DaypartingSchedule], instance: DaypartingSchedule, origin: object, **kwargs: Any
) -> None:
    """A schedule removed on its own frees its campaign; one removed with it changes nothing.

    When a campaign or brand is deleted, its schedule goes first in the same cascade: evaluating
    the campaign then would write history for a row about to disappear.
    """
    if schedule_deletion(origin):
        CampaignService.reevaluate_after_edit(instance.campaign_id)


def schedule_deletion(origin: object) -> bool:
    """Whether a deletion started from schedules (an instance or a queryset of them)."""
    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    return model is DaypartingSchedule
