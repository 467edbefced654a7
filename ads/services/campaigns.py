"""Whether campaigns serve: the one writer of `is_active` and of the status history.

A campaign serves exactly when it is enabled and nothing blocks it (`ads.rules.reasons`). Every
change of `is_active` is written here, with a history row naming its cause.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ads.models import Brand, Campaign, CampaignStatusChange, SweepCursor
from ads.rules import reasons
from ads.rules.reasons import CampaignFacts
from ads.rules.transitions import next_changes
from ads.selectors import campaign_facts
from ads.selectors.campaigns import batch_facts, slice_end
from ads.selectors.resumes import Outlook, campaign_outlooks
from ads.services.entries import campaign_id_of
from ads.services.events import published, status_events
from ads.sql.campaigns import State, write_sync
from ads.sql.history import StatusChange
from ads.sql.locks import lock_brand_ids, lock_brands

Cause = CampaignStatusChange.Cause
# What one transaction of a sweep switches at most: the brands it locks, and their campaigns.
# A spend waits only when its brand is in the batch being switched, and only for that batch:
# few brands, briefly (issue 13: 1,000 campaigns of 200 brands per batch kept a spend's p99
# 4-18x longer during a half flip). 40 brands take about 14 ms a batch, less than the 18 ms
# 20 brands took before a batch became three statements; each batch costs fixed round trips,
# so fewer batches make a half flip shorter (docs/BENCHMARKS.md, "Sweeps cost what changes").
SWEEP_BRANDS = 40
SWEEP_BATCH = 1000
# The campaigns the safety net's rolling pass judges a run (`CampaignService.safety_net`):
# about 80 ms of reading at 100,000 campaigns, the whole pass every run up to this many.
SAFETY_NET_SLICE = 10_000

# The campaigns edited inside `CampaignService.one_evaluation`, evaluated when it ends.
_pending_evaluations: ContextVar[set[int] | None] = ContextVar("pending_evaluations", default=None)
# The person whose edit `one_evaluation` wraps: named on the operator changes made inside it
# (a brand's save re-evaluates its campaigns from a receiver, with no request at hand).
_operator: ContextVar[int | None] = ContextVar("operator", default=None)


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
    def resumes_at(campaign: Campaign) -> datetime | None:
        """When the campaign serves again by the clock alone, in its brand's zone; None when it
        serves, or when only a person can bring it back (`ads.rules.resumes`)."""
        pk = campaign_id_of(campaign)
        outlook = campaign_outlooks(Campaign.objects.filter(pk=pk), now=timezone.now()).get(pk)
        if outlook is None:
            raise ValidationError({"campaign": f"Campaign {pk} does not exist."})
        return outlook.resumes_at

    @staticmethod
    def outlooks_by_campaign(
        campaigns: QuerySet[Campaign], *, now: datetime | None = None
    ) -> dict[int, Outlook]:
        """Reasons, resume time and scheduled time elapsed of each campaign: a list page's read."""
        return campaign_outlooks(campaigns, now=now or timezone.now())

    @staticmethod
    def sync(
        campaigns: QuerySet[Campaign],
        cause: str,
        *,
        now: datetime | None = None,
        by: AbstractBaseUser | None = None,
    ) -> SyncResult:
        """Bring `is_active` of every campaign in `campaigns` in line with the rules, and store
        when the clock alone next changes it (`next_check_at`, `ads.rules.transitions`).

        Set-based: one lock, one read and at most one write whatever the number of campaigns
        (`_settle`). Repeating it changes nothing, so a task may run twice. The history names
        `by` (or the operator of the enclosing `one_evaluation`) when the cause is an
        operator's; a sweep's changes name nobody.
        """
        changed_by_id = _operator_id(cause, by=by)
        with transaction.atomic():
            lock_brands(Brand.objects.filter(pk__in=campaigns.values("brand_id")))
            # Read after the locks: a decision made with an earlier clock could undo a change
            # committed while this waited (a spend that rolled the brand into a new day).
            at = now or timezone.now()
            facts = campaign_facts(campaigns)
            return _settle(facts, cause=cause, now=at, changed_by_id=changed_by_id)

    @classmethod
    def sync_all(cls, cause: str, *, now: datetime | None = None) -> SyncResult:
        """Every campaign in line with the rules now: the full pass (see `sweep`), for the
        shell after a repair done around the rules (a restored backup, a queryset update)."""
        return cls.sweep(cause, now=now)

    @classmethod
    def sweep(cls, cause: str, *, now: datetime | None = None) -> SyncResult:
        """Bring every campaign in line, locking only what changes, a batch at a time.

        A read of every campaign without locks finds those whose state differs from their
        verdict, or whose stored next check differs from the one the clock gives. Each batch
        of those is then judged again by `sync` (see `_switch`). It takes no lock when nothing
        is wrong, but it reads every campaign: the periodic work runs `sweep_due` and
        `safety_net` instead, which cost the same at any scale.
        """
        at = now or timezone.now()
        return cls._switch(_wrong(Campaign.objects.all(), now=at), cause=cause, now=now)

    @classmethod
    def safety_net(
        cls, cause: str, *, now: datetime | None = None, size: int = SAFETY_NET_SLICE
    ) -> SyncResult:
        """`enforce_budgets`, every 5 minutes: what is due (`sweep_due`), and the next `size`
        campaigns of a rolling full pass, in id order from where the last run stopped
        (`SweepCursor`), judged as `sweep` judges every campaign.

        Spends pause at once, every write re-evaluates what it touches and the minute's sweep
        follows the clock; this repairs what was written around the rules (a queryset update, a
        restored backup). A run costs the same at any number of campaigns, and the pass covers
        them all every ceil(campaigns / size) runs: every run up to 10,000 campaigns, every 50
        minutes at 100,000, about every 8 hours at 1,000,000 (`sync_all` does it at once).
        The cursor moves only after the slice is judged, so a run that dies repeats its slice.
        """
        at = now or timezone.now()
        cursor, _ = SweepCursor.objects.get_or_create(name=cause)
        last = slice_end(after_id=cursor.after_id, size=size)
        part = Campaign.objects.filter(pk__gt=cursor.after_id)
        found = _wrong(part if last is None else part.filter(pk__lte=last), now=at)
        for brand_id, ids in _due(now=at).items():
            found[brand_id] = list(dict.fromkeys(found[brand_id] + ids))
        result = cls._switch(found, cause=cause, now=now)
        moved = {"after_id": 0, "passed_at": at} if last is None else {"after_id": last}
        SweepCursor.objects.filter(name=cause).update(**moved)
        return result

    @classmethod
    def sweep_due(cls, cause: str, *, now: datetime | None = None) -> SyncResult:
        """Judge only the campaigns whose next check has come, or that were judged at a later
        instant than `now` (a clock set back): `enforce_dayparting`, every minute, and the
        reset after a roll-over. Two index ranges, so a run costs what changes, not what
        exists.

        Every write of a fact a verdict is drawn from re-evaluates its campaigns and stores
        their next check, so between writes only the clock changes a verdict, and it does so
        exactly at the stored instant. What is written around the rules (a queryset update) is
        repaired by `safety_net`.
        """
        at = now or timezone.now()
        return cls._switch(_due(now=at), cause=cause, now=now)

    @classmethod
    def _switch(
        cls, by_brand: Mapping[int, list[int]], *, cause: str, now: datetime | None
    ) -> SyncResult:
        """Judge again the campaigns a sweep found (`by_brand`: their ids by brand), a batch at
        a time: the campaigns of at most `SWEEP_BRANDS` brands (at most `SWEEP_BATCH` of
        them), each batch under its brands' locks, with a clock read after them, and committed
        on its own (when not inside a caller's transaction). A change is made only if it still
        holds once the locks are held.

        A batch is `sync`'s work in three statements: the locks by brand id
        (`lock_brand_ids`), the facts of its campaigns that are still those brands'
        (`batch_facts`, compiled once) and the one write (`_settle`)."""
        result = SyncResult()
        changed_by_id = _operator_id(cause, by=None)
        for brand_ids, campaign_ids in _batches(by_brand):
            with transaction.atomic():
                locked = lock_brand_ids(brand_ids)
                at = now or timezone.now()  # read after the locks, as in `sync`
                facts = batch_facts(campaign_ids, brand_ids=locked)
                changed = _settle(facts, cause=cause, now=at, changed_by_id=changed_by_id)
            result.activated += changed.activated
            result.paused += changed.paused
        return result

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
    def one_evaluation(cls, *, by: AbstractBaseUser | None = None) -> Iterator[None]:
        """Evaluate the campaigns edited inside the block once, when it ends without error.

        One edit can be several saves: the admin saves a new campaign, then its schedule.
        Evaluated in between, a campaign created with its window closed would log "serving"
        and, a moment later, "paused". Give the block its own transaction around it, so the
        evaluation commits with the edits. The status changes the block causes name `by`.
        """
        pending: set[int] = set()
        token = _pending_evaluations.set(pending)
        operator = _operator.set(_operator_id(Cause.OPERATOR, by=by))
        try:
            yield
            if pending:
                cls.sync(Campaign.objects.filter(pk__in=pending), Cause.OPERATOR)
        finally:
            _operator.reset(operator)
            _pending_evaluations.reset(token)

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
    def set_enabled(
        cls, campaigns: QuerySet[Campaign], enabled: bool, *, by: AbstractBaseUser | None = None
    ) -> int:
        """Flip the operator's switch of many campaigns at once; return how many changed.

        Locks their brands first (the locking rule), then re-evaluates them with cause OPERATOR,
        in a fixed number of queries. The campaigns are fixed by id before the update, so a
        queryset filtered on `is_enabled` still re-evaluates every campaign it named. The
        status history names `by`, the person who flipped it (empty from the shell).
        """
        _operator_id(Cause.OPERATOR, by=by)  # a bad `by` changes nothing
        with transaction.atomic():
            ids = list(campaigns.order_by().values_list("pk", flat=True))
            named = Campaign.objects.filter(pk__in=ids)
            lock_brands(Brand.objects.filter(pk__in=named.values("brand_id")))
            changed = named.exclude(is_enabled=enabled).update(
                is_enabled=enabled, updated_at=timezone.now()
            )
            cls.sync(named, Cause.OPERATOR, by=by)
        return changed


def _operator_id(cause: str, *, by: AbstractBaseUser | None) -> int | None:
    """Whom a status change of `cause` names: `by`, else the enclosing edit's operator.

    Only an operator's cause names a person; `by` must be a saved user.
    """
    if by is None:
        return _operator.get() if cause == Cause.OPERATOR else None
    if not isinstance(by, AbstractBaseUser) or by.pk is None:
        raise ValidationError({"by": f"{by!r} is not a saved user."})
    if cause != Cause.OPERATOR:
        raise ValidationError({"by": f"Only an operator's change names a person, not {cause!r}."})
    return int(by.pk)


def _settle(
    campaigns: Iterable[CampaignFacts], *, cause: str, now: datetime, changed_by_id: int | None
) -> SyncResult:
    """Judge `campaigns` at `now` (their brands locked by the caller) and write what differs:
    the state and next check of each, a history row and an event per switch, in one statement
    on PostgreSQL (`write_sync`), none when nothing differs.

    Python decides only the verdicts (`ads.rules`); each change goes to the database as a
    tuple, not a model object, which cost more to build than the row costs to insert.
    """
    result = SyncResult()
    states: list[State] = []
    changes: list[StatusChange] = []
    brand_of: dict[int, int] = {}
    next_check = next_changes(now=now)
    for facts in campaigns:
        found = reasons.blocking_reasons(facts, now=now)
        should_be_active = not found
        check = next_check(facts)
        if should_be_active == facts.is_active and not _recheck(facts, check, now=now):
            continue
        states.append((facts.pk, should_be_active, check))
        if should_be_active == facts.is_active:
            continue
        (result.activated if should_be_active else result.paused).append(facts.pk)
        brand_of[facts.pk] = facts.brand_id
        changes.append((facts.pk, should_be_active, found))
    events = status_events(changes, changed_at=now, cause=cause, brand_of=brand_of)
    deliveries = write_sync(
        states,
        changes=changes,
        events=events,
        changed_at=now,
        cause=cause,
        changed_by_id=changed_by_id,
        deliveries_due=timezone.now(),
    )
    published(deliveries)
    return result


def _wrong(campaigns: QuerySet[Campaign], *, now: datetime) -> defaultdict[int, list[int]]:
    """The ids by brand of the campaigns in `campaigns` whose state differs from their verdict
    at `now`, or whose stored next check is not the one the clock gives: read without locks,
    judged again under them by `_switch`."""
    found: defaultdict[int, list[int]] = defaultdict(list)
    next_check = next_changes(now=now)
    for facts in campaign_facts(campaigns):
        wrong = facts.is_active == bool(reasons.blocking_reasons(facts, now=now))
        if wrong or _recheck(facts, next_check(facts), now=now):
            found[facts.brand_id].append(facts.pk)
    return found


def _due(*, now: datetime) -> defaultdict[int, list[int]]:
    """The ids by brand of the campaigns whose next check has come at `now`, or that were
    judged at a later instant (a clock set back): two index ranges."""
    found: defaultdict[int, list[int]] = defaultdict(list)
    for pk, brand_id in (
        Campaign.objects.filter(Q(next_check_at__lte=now) | Q(checked_at__gt=now))
        .order_by()
        .values_list("pk", "brand_id")
        .iterator(chunk_size=5000)
    ):
        found[brand_id].append(pk)
    return found


def _recheck(facts: CampaignFacts, next_check: datetime | None, *, now: datetime) -> bool:
    """Whether a campaign's stored check must be written again at `now`: its next check is not
    the one the clock gives, or it was worked out at a later instant (a clock set back)."""
    stored = facts.checked_at
    return facts.next_check_at != next_check or stored is None or stored > now


def _batches(by_brand: Mapping[int, list[int]]) -> Iterator[tuple[list[int], list[int]]]:
    """(brand ids, campaign ids) of each batch: a brand's campaigns together, at most
    `SWEEP_BRANDS` brands and `SWEEP_BATCH` campaigns (a brand with more campaigns than that
    is split)."""
    brands: list[int] = []
    batch: list[int] = []
    for brand_id, campaign_ids in by_brand.items():
        for start in range(0, len(campaign_ids), SWEEP_BATCH):
            part = campaign_ids[start : start + SWEEP_BATCH]
            if batch and (len(brands) == SWEEP_BRANDS or len(batch) + len(part) > SWEEP_BATCH):
                yield brands, batch
                brands, batch = [], []
            batch += part
            brands.append(brand_id)
    if batch:
        yield brands, batch
