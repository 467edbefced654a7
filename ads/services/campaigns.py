"""Whether campaigns serve: the one writer of `is_active` and of the status history.

A campaign serves exactly when it is enabled and nothing blocks it (`ads.rules.reasons`). Every
change of `is_active` is written here, with a history row naming its cause.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ads.models import Brand, Campaign, CampaignStatusChange
from ads.rules import reasons
from ads.rules.reasons import CampaignFacts
from ads.selectors import campaign_facts
from ads.services.entries import campaign_id_of
from ads.sql.locks import lock_brands

Cause = CampaignStatusChange.Cause

# The campaigns edited inside `CampaignService.one_evaluation`, evaluated when it ends.
_pending_evaluations: ContextVar[set[int] | None] = ContextVar("pending_evaluations", default=None)


@dataclass
class SyncResult:
    """The campaigns one evaluation switched on and off."""

    activated: list[int] = field(default_factory=list)
    paused: list[int] = field(default_factory=list)


class CampaignService:
    """A campaign serves exactly when it is enabled and every constraint is met."""

    @staticmethod
    def blocking_reasons(facts: CampaignFacts, now: datetime) -> list[str]:
        return reasons.blocking_reasons(facts, now=now)

    @staticmethod
    def should_campaign_be_active(campaign: Campaign) -> tuple[bool, list[str]]:
        """The verdict from the database as it is now, not from the (maybe stale) object."""
        pk = campaign_id_of(campaign)
        facts = next(campaign_facts(Campaign.objects.filter(pk=pk)), None)
        if facts is None:
            raise ValidationError({"campaign": f"Campaign {pk} does not exist."})
        found = reasons.blocking_reasons(facts, now=timezone.now())
        return not found, found

    @staticmethod
    def sync(
        campaigns: QuerySet[Campaign], cause: str, *, now: datetime | None = None
    ) -> SyncResult:
        """Bring `is_active` of every campaign in `campaigns` in line with the rules.

        Set-based: one lock, one read, at most two updates and one insert of history, whatever
        the number of campaigns. Repeating it changes nothing, so a task may run twice.
        """
        result = SyncResult()
        history = []
        with transaction.atomic():
            lock_brands(Brand.objects.filter(pk__in=campaigns.values("brand_id")))
            # Read after the locks: a decision made with an earlier clock could undo a change
            # committed while this waited (a spend that rolled the brand into a new day).
            now = now or timezone.now()
            for facts in campaign_facts(campaigns):
                found = reasons.blocking_reasons(facts, now=now)
                should_be_active = not found
                if should_be_active == facts.is_active:
                    continue
                (result.activated if should_be_active else result.paused).append(facts.pk)
                history.append(
                    CampaignStatusChange(
                        campaign_id=facts.pk,
                        changed_at=now,
                        is_active=should_be_active,
                        reasons=found,
                        cause=cause,
                    )
                )
            if result.activated:
                Campaign.objects.filter(pk__in=result.activated).update(is_active=True)
            if result.paused:
                Campaign.objects.filter(pk__in=result.paused).update(is_active=False)
            CampaignStatusChange.objects.bulk_create(history)
        return result

    @classmethod
    def sync_all(cls, cause: str, *, now: datetime | None = None) -> SyncResult:
        return cls.sync(Campaign.objects.all(), cause, now=now)

    @classmethod
    def reevaluate_after_edit(cls, campaign_id: int) -> None:
        """Re-evaluate a campaign an operator has just edited (queued inside `one_evaluation`)."""
        pending = _pending_evaluations.get()
        if pending is None:
            cls.sync(Campaign.objects.filter(pk=campaign_id), Cause.OPERATOR)
        else:
            pending.add(campaign_id)

    @classmethod
    @contextmanager
    def one_evaluation(cls) -> Iterator[None]:
        """Evaluate the campaigns edited inside the block once, when it ends without error.

        One edit can be several saves: the admin saves a new campaign, then its schedule.
        Evaluated in between, a campaign created with its window closed would log "serving"
        and, a moment later, "paused". Give the block its own transaction around it, so the
        evaluation commits with the edits.
        """
        pending: set[int] = set()
        token = _pending_evaluations.set(pending)
        try:
            yield
        finally:
            _pending_evaluations.reset(token)
        if pending:
            cls.sync(Campaign.objects.filter(pk__in=pending), Cause.OPERATOR)

    @staticmethod
    def lock_brand(brand_id: int) -> None:
        """Taken before an operator's edit of a schedule (see the locking rule)."""
        lock_brands(Brand.objects.filter(pk=brand_id))

    @staticmethod
    def lock_for_save(campaign: Campaign) -> None:
        """Taken before a campaign is saved: its brand, and the brand it leaves if it moves.

        Both in pk order (the locking rule). The model's checks run again under the locks: a
        spend committed while this waited must stop a move, or the spend would stay in the
        totals of the brand the campaign left.
        """
        brand_ids = {campaign.brand_id}
        if campaign.pk is not None:
            stored = Campaign.objects.filter(pk=campaign.pk).values_list("brand_id", flat=True)
            brand_ids.update(stored)
        lock_brands(Brand.objects.filter(pk__in=brand_ids))
        if len(brand_ids) > 1:
            campaign.clean()

    @staticmethod
    def reasons_by_campaign(
        campaigns: QuerySet[Campaign], *, now: datetime | None = None
    ) -> dict[int, list[str]]:
        """The blocking reasons of every campaign in `campaigns`, from one read.

        What a list page shows and filters on; an empty list means nothing blocks it.
        """
        now = now or timezone.now()
        return {
            facts.pk: reasons.blocking_reasons(facts, now=now)
            for facts in campaign_facts(campaigns)
        }

    @classmethod
    def set_enabled(cls, campaigns: QuerySet[Campaign], enabled: bool) -> int:
        """Flip the operator's switch of many campaigns at once; return how many changed.

        Locks their brands first (the locking rule), then re-evaluates them with cause OPERATOR,
        in a fixed number of queries. The campaigns are fixed by id before the update, so a
        queryset filtered on `is_enabled` still re-evaluates every campaign it named.
        """
        with transaction.atomic():
            ids = list(campaigns.order_by().values_list("pk", flat=True))
            named = Campaign.objects.filter(pk__in=ids)
            lock_brands(Brand.objects.filter(pk__in=named.values("brand_id")))
            changed = named.exclude(is_enabled=enabled).update(
                is_enabled=enabled, updated_at=timezone.now()
            )
            cls.sync(named, Cause.OPERATOR)
        return changed
