"""Receivers: thin hooks that hand every write to the service that owns its rule."""

from typing import Any

from django.db.models import Model, QuerySet
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from ads.models import Brand, Campaign, DaypartingSchedule, DaypartingWindow, SpendLog
from ads.services import BudgetService, CampaignService
from ads.services.dayparting import store_extra_windows


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
    if deletion_started_from(origin, DaypartingSchedule):
        CampaignService.reevaluate_after_edit(instance.campaign_id)


def deletion_started_from(origin: object, model: type[Model]) -> bool:
    """Whether a deletion started from `model` (an instance or a queryset of them)."""
    started = origin.model if isinstance(origin, QuerySet) else type(origin)
    return started is model


@receiver(pre_save, sender=DaypartingWindow, dispatch_uid="ads.lock_before_window_save")
@receiver(pre_delete, sender=DaypartingWindow, dispatch_uid="ads.lock_before_window_delete")
def lock_before_window_change(
    sender: type[DaypartingWindow], instance: DaypartingWindow, **kwargs: Any
) -> None:
    """The brand first (the locking rule), as before a schedule's own window changes."""
    if not kwargs.get("raw"):
        CampaignService.lock_brand(brand_of(instance))


@receiver(post_save, sender=DaypartingWindow, dispatch_uid="ads.window_saved")
def window_saved(sender: type[DaypartingWindow], instance: DaypartingWindow, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        store_extra_windows(instance.schedule_id)
        CampaignService.reevaluate_after_edit(instance.schedule.campaign_id)


@receiver(post_delete, sender=DaypartingWindow, dispatch_uid="ads.window_deleted")
def window_deleted(
    sender: type[DaypartingWindow], instance: DaypartingWindow, origin: object, **kwargs: Any
) -> None:
    """A window removed on its own changes its campaign's verdict; one removed with its
    schedule, campaign or brand leaves that to the deletion it is part of."""
    if deletion_started_from(origin, DaypartingWindow):
        store_extra_windows(instance.schedule_id)
        CampaignService.reevaluate_after_edit(instance.schedule.campaign_id)


def brand_of(window: DaypartingWindow) -> int:
    return window.schedule.campaign.brand_id
