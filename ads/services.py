"""The budget and dayparting rules: everything that writes spend or changes a campaign's state.

Locking rule: every writer locks the brand row before it touches the brand's campaigns, and a
writer that locks several brands locks them in primary-key order. Spends, periodic sweeps and
operator edits therefore serialise per brand and never deadlock.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Field, Q, QuerySet
from django.utils import timezone

from ads.dayparting import window_contains
from ads.models import (
    Brand,
    Campaign,
    CampaignStatusChange,
    DaypartingSchedule,
    SpendLog,
    TotalsCorrection,
)
from ads.money import ZERO, AmountInput, parse_amount
from ads.periods import LocalPeriod, local_midnight, local_period, zone
from ads.selectors import CampaignFacts, PeriodRule, campaign_facts, with_ledger_totals
from ads.validators import largest_total, validate_spend_time, validate_text

Cause = CampaignStatusChange.Cause

DISABLED = "Disabled by operator"
DAILY_EXCEEDED = "Daily budget exceeded"
MONTHLY_EXCEEDED = "Monthly budget exceeded"
OUTSIDE_WINDOW = "Outside dayparting window"

TOTAL_FIELDS = ("current_daily_spend", "current_monthly_spend", "spend_day", "spend_month")


@dataclass
class SyncResult:
    """The campaigns one evaluation switched on and off."""

    activated: list[int] = field(default_factory=list)
    paused: list[int] = field(default_factory=list)

    def __add__(self, other: "SyncResult") -> "SyncResult":
        return SyncResult(self.activated + other.activated, self.paused + other.paused)


@dataclass(frozen=True)
class RolledBrand:
    name: str
    old_day: date
    new_day: date
    new_month: bool
    daily_spend: Decimal
    monthly_spend: Decimal


@dataclass
class ResetResult:
    rolled: list[RolledBrand]
    campaigns: SyncResult


@dataclass(frozen=True)
class Drift:
    """A brand whose stored totals differ from the ledger for the day and month they belong to."""

    brand_id: int
    name: str
    day: date
    stored_daily: Decimal
    ledger_daily: Decimal
    stored_monthly: Decimal
    ledger_monthly: Decimal


@dataclass(frozen=True)
class SpendEntry:
    """One spend for `BudgetService.record_spends`: the arguments `record_spend` takes."""

    campaign: Campaign | int
    amount: AmountInput
    description: str = ""
    external_id: str | None = None
    timestamp: datetime | None = None


# A SpendEntry, or its fields as a dict (keyword names) or a tuple (in order).
SpendEntryInput = SpendEntry | Mapping[str, Any] | tuple[Any, ...]


@dataclass
class SpendBatch:
    """What one `BudgetService.record_spend_batch` call did."""

    # One row per entry, in input order; a known (campaign, external_id) gives the row on record.
    spends: list[SpendLog]
    # The rows this call added to the ledger.
    created: list[SpendLog]
    # The brands whose totals the new rows went into.
    brand_ids: list[int]
    # The campaigns paused (or, after a brand rolled into a new day, reactivated).
    campaigns: SyncResult


# What record_spends reads of the brands it locks, in the model's column order (Model.from_db).
_LOCKED_BRAND_COLUMNS = tuple(
    f
    for f in Brand._meta.concrete_fields
    if f.attname in {"id", "timezone", "daily_budget", "monthly_budget", *TOTAL_FIELDS}
)
_LOCKED_BRAND_FIELDS = tuple(f.attname for f in _LOCKED_BRAND_COLUMNS)


def _campaign_id(campaign: object) -> int:
    """The id of a saved campaign, or of one given by id.

    An id no row can have is refused here: past the column's range it would reach the driver
    (SQLite: OverflowError) instead of reading "does not exist".
    """
    pk = campaign.pk if isinstance(campaign, Campaign) else campaign
    if not isinstance(pk, int) or isinstance(pk, bool):
        raise ValidationError({"campaign": f"{campaign!r} is not a saved campaign."})
    _, largest = connection.ops.integer_field_range(Campaign._meta.pk.get_internal_type())
    if not 1 <= pk <= largest:
        raise ValidationError({"campaign": f"Campaign {pk} does not exist."})
    return pk


def _lock_brand_of(campaign_id: int) -> Brand:
    """Lock a campaign and its brand and read what a spend's roll-up needs.

    Hand-written: it runs once per spend, and compiling it through the ORM costs several times
    what the database spends running it. Values go through the backend's converters, as the
    ORM's would, so SQLite (which stores decimals as floats) still gives exact Decimal and date.

    The campaign row is locked too, so a move to another brand committed while this waited is
    seen: the row no longer joins the brand it was read with, and a second read (a new
    snapshot) finds the campaign's brand as it is now. Without it, a spend that waited on the
    old brand would roll up into the brand the campaign has just left.
    """
    quote = connection.ops.quote_name
    brand_table = quote(Brand._meta.db_table)
    campaign_table = quote(Campaign._meta.db_table)
    columns = ", ".join(f"{brand_table}.{quote(f.column)}" for f in _LOCKED_BRAND_COLUMNS)
    # SQLite has no row locks (a writer holds the whole database): nothing to add there.
    lock = (
        f" FOR NO KEY UPDATE OF {brand_table}, {campaign_table}"
        if connection.features.has_select_for_update
        else ""
    )
    sql = (
        f"SELECT {columns} FROM {brand_table} JOIN {campaign_table}"  # noqa: S608 - placeholders only
        f" ON {campaign_table}.{quote('brand_id')} = {brand_table}.{quote('id')}"
        f" WHERE {campaign_table}.{quote('id')} = %s{lock}"
    )
    row = None
    with connection.cursor() as cursor:
        for _attempt in range(2):
            cursor.execute(sql, [campaign_id])
            row = cursor.fetchone()
            if row is not None:
                break
    if row is None:
        raise ValidationError({"campaign": f"Campaign {campaign_id} does not exist."})
    values = [_from_db(f, value) for f, value in zip(_LOCKED_BRAND_COLUMNS, row, strict=True)]
    return Brand.from_db(connection.alias, _LOCKED_BRAND_FIELDS, values)


def _from_db(field: "Field[Any, Any]", value: object) -> object:
    """A raw column value as the ORM would give it (its backend and field converters)."""
    column = field.get_col(field.model._meta.db_table)
    converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
    for converter in converters:
        value = converter(value, column, connection)
    return value


@lru_cache(maxsize=256)
def _local_time(now: datetime, name: str) -> datetime:
    """`now` in the time zone `name`: worked out once per zone in a sweep, not once per campaign."""
    return now.astimezone(zone(name))


# The campaigns edited inside `CampaignService.one_evaluation`, evaluated when it ends.
_pending_evaluations: ContextVar[set[int] | None] = ContextVar("pending_evaluations", default=None)


def _lock_brands(brands: QuerySet[Brand]) -> None:
    list(brands.order_by("pk").select_for_update(no_key=True).values_list("pk", flat=True))


class DaypartingService:
    """Whether a schedule's window is open, judged in local time there (DST included)."""

    @staticmethod
    def window_contains(
        start: time, end: time, days_of_week: Iterable[int], local: datetime
    ) -> bool:
        """The pure rule: no database, a local wall-clock time in."""
        return window_contains(start, end, list(days_of_week), local)

    @staticmethod
    def is_within_window(schedule: DaypartingSchedule, at: datetime | None = None) -> bool:
        local = (at or timezone.now()).astimezone(zone(schedule.effective_timezone))
        return window_contains(schedule.start_time, schedule.end_time, schedule.days_of_week, local)


class CampaignService:
    """A campaign serves exactly when it is enabled and every constraint is met."""

    @staticmethod
    def blocking_reasons(facts: CampaignFacts, now: datetime) -> list[str]:
        reasons = []
        if not facts.is_enabled:
            reasons.append(DISABLED)
        if facts.daily_exceeded:
            reasons.append(DAILY_EXCEEDED)
        if facts.monthly_exceeded:
            reasons.append(MONTHLY_EXCEEDED)
        window = facts.window
        if window is not None and not window_contains(
            window.start, window.end, window.days_of_week, _local_time(now, window.timezone)
        ):
            reasons.append(OUTSIDE_WINDOW)
        return reasons

    @classmethod
    def should_campaign_be_active(cls, campaign: Campaign) -> tuple[bool, list[str]]:
        """The verdict from the database as it is now, not from the (maybe stale) object."""
        facts = next(campaign_facts(Campaign.objects.filter(pk=_campaign_id(campaign))), None)
        if facts is None:
            raise ValidationError({"campaign": f"Campaign {campaign.pk} does not exist."})
        reasons = cls.blocking_reasons(facts, timezone.now())
        return not reasons, reasons

    @classmethod
    def sync(
        cls, campaigns: QuerySet[Campaign], cause: str, *, now: datetime | None = None
    ) -> SyncResult:
        """Bring `is_active` of every campaign in `campaigns` in line with the rules.

        Set-based: one lock, one read, at most two updates and one insert of history, whatever
        the number of campaigns. Repeating it changes nothing, so a task may run twice.
        """
        result = SyncResult()
        history = []
        with transaction.atomic():
            _lock_brands(Brand.objects.filter(pk__in=campaigns.values("brand_id")))
            # Read after the locks: a decision made with an earlier clock could undo a change
            # committed while this waited (a spend that rolled the brand into a new day).
            now = now or timezone.now()
            for facts in campaign_facts(campaigns):
                reasons = cls.blocking_reasons(facts, now)
                should_be_active = not reasons
                if should_be_active == facts.is_active:
                    continue
                (result.activated if should_be_active else result.paused).append(facts.pk)
                history.append(
                    CampaignStatusChange(
                        campaign_id=facts.pk,
                        changed_at=now,
                        is_active=should_be_active,
                        reasons=reasons,
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

    @classmethod
    def sync_all(cls, cause: str, *, now: datetime | None = None) -> SyncResult:
        return cls.sync(Campaign.objects.all(), cause, now=now)

    @staticmethod
    def lock_brand(brand_id: int) -> None:
        """Taken before an operator's edit of a schedule (see the locking rule)."""
        _lock_brands(Brand.objects.filter(pk=brand_id))

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
        _lock_brands(Brand.objects.filter(pk__in=brand_ids))
        if len(brand_ids) > 1:
            campaign.clean()

    @classmethod
    def reasons_by_campaign(
        cls, campaigns: QuerySet[Campaign], *, now: datetime | None = None
    ) -> dict[int, list[str]]:
        """The blocking reasons of every campaign in `campaigns`, from one read.

        What a list page shows and filters on; an empty list means nothing blocks it.
        """
        now = now or timezone.now()
        return {facts.pk: cls.blocking_reasons(facts, now) for facts in campaign_facts(campaigns)}

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
            _lock_brands(Brand.objects.filter(pk__in=named.values("brand_id")))
            changed = named.exclude(is_enabled=enabled).update(
                is_enabled=enabled, updated_at=timezone.now()
            )
            cls.sync(named, Cause.OPERATOR)
        return changed


class BudgetService:
    """Spend in, totals up, campaigns paused the moment a budget is exceeded."""

    @staticmethod
    def _spend_time(timestamp: object) -> datetime:
        now = timezone.now()
        if timestamp is None:
            return now
        if not isinstance(timestamp, datetime):
            raise ValidationError({"timestamp": f"{timestamp!r} is not a datetime."})
        validate_spend_time(timestamp, now=now)
        return timestamp

    @staticmethod
    def _text(value: object, name: str, max_length: int) -> str:
        """`value` as the database will store it: a str of at most `max_length` characters."""
        if not isinstance(value, str):
            raise ValidationError({name: f"{value!r} is not a string."})
        if len(value) > max_length:
            raise ValidationError({name: f"Longer than {max_length} characters."})
        try:
            validate_text(value)
        except ValidationError as error:
            raise ValidationError({name: error}) from None
        return value

    @classmethod
    def record_spend(
        cls,
        campaign: Campaign,
        amount: AmountInput,
        description: str = "",
        *,
        external_id: str | None = None,
        timestamp: datetime | None = None,
    ) -> SpendLog:
        """Record one spend: ledger row, brand totals and any pause, in one transaction.

        Spend on a paused campaign is still recorded: the money was spent. A known `external_id`
        returns the spend already recorded under it and counts nothing twice.
        """
        value = parse_amount(amount)
        when = cls._spend_time(timestamp)
        text = cls._text(description, "description", 500)
        if external_id is not None:
            external_id = cls._text(external_id, "external_id", 200).strip() or None
        spend = SpendLog(
            campaign_id=_campaign_id(campaign),
            amount=value,
            timestamp=when,
            description=text,
            external_id=external_id,
        )
        with transaction.atomic():
            brand = _lock_brand_of(spend.campaign_id)
            if external_id is not None:
                existing = cls._known_spends([spend]).get((spend.campaign_id, external_id))
                if existing is not None:
                    return existing
            # The post_save signal rolls it up (BudgetService.apply_spend), with the brand
            # this transaction has just locked and read.
            spend.locked_brand = brand
            spend.save()
        return spend

    @classmethod
    def apply_spend(cls, spend: SpendLog) -> None:
        """Roll a new ledger row into its brand's totals and pause at once if over budget.

        Called by the SpendLog signal inside the writer's transaction. The brand is locked here,
        unless the writer already did so and handed it over as `spend.locked_brand`. A brand still
        dated to an earlier day is first rolled into the current one from the ledger, so a spend
        after local midnight never lands in yesterday's total.
        """
        brand = spend.locked_brand or _lock_brand_of(spend.campaign_id)
        spend.locked_brand = None
        now = timezone.now()
        period = local_period(now, zone(brand.timezone))
        if brand.spend_day != period.day or brand.spend_month != period.month:
            cls._recount(Brand.objects.filter(pk=brand.pk), [(Q(pk=brand.pk), period)])
            CampaignService.sync(Campaign.objects.filter(brand_id=brand.pk), Cause.SPEND, now=now)
            return
        if period.contains_day(spend.timestamp):
            brand.current_daily_spend += spend.amount
        if period.contains_month(spend.timestamp):
            brand.current_monthly_spend += spend.amount
        overflow = cls._overflow(brand, [spend], period)
        if overflow is not None:
            raise overflow[1]
        # Absolute values are safe here: the row was read under this transaction's lock.
        cls._write_totals([brand], ("current_daily_spend", "current_monthly_spend"))
        if brand.is_daily_budget_exceeded or brand.is_monthly_budget_exceeded:
            active = Campaign.objects.filter(brand_id=brand.pk, is_active=True)
            CampaignService.sync(active, Cause.SPEND, now=now)

    @staticmethod
    def _overflow(
        brand: Brand, new: Sequence[SpendLog], period: LocalPeriod
    ) -> tuple[SpendLog, ValidationError] | None:
        """The first of `new` that takes a total of `brand` past what the database holds.

        `brand`'s totals already include `new`. Returns that spend with the error refusing it,
        or None when every total fits. The caller raises it inside its transaction, so the new
        ledger rows go with it and nothing changes: a total past its column would otherwise be
        a DataError on this and every later spend (SQLite: a total no longer exact).
        """
        limit = largest_total()
        for label, total, counts in (
            ("daily", brand.current_daily_spend, period.contains_day),
            ("monthly", brand.current_monthly_spend, period.contains_month),
        ):
            if total <= limit:
                continue
            running = total - sum((s.amount for s in new if counts(s.timestamp)), ZERO)
            for spend in new:
                running += spend.amount if counts(spend.timestamp) else ZERO
                if running > limit:
                    message = (
                        f"{spend.amount} would take the brand's {label} total to {running}, "
                        f"past {limit}, the largest total the database holds."
                    )
                    error = ValidationError(message, code="total_too_large")
                    return spend, ValidationError({"amount": error})
        return None

    @staticmethod
    def _recount(brands: QuerySet[Brand], rules: list[PeriodRule]) -> list[tuple[Brand, Brand]]:
        """Lock `brands` and set their totals to the ledger's sums for the periods in `rules`.

        Returns (before, after) pairs for the brands whose stored state changed.
        """
        locked = list(
            with_ledger_totals(brands, rules)
            .select_for_update(no_key=True, of=("self",))
            .order_by("pk")
        )
        changed: list[tuple[Brand, Brand]] = []
        for brand in locked:
            before = Brand(
                pk=brand.pk,
                name=brand.name,
                **{name: getattr(brand, name) for name in TOTAL_FIELDS},
            )
            period_start = brand.period_day_start.astimezone(zone(brand.timezone))
            brand.spend_day = period_start.date()
            brand.spend_month = period_start.date().replace(day=1)
            brand.current_daily_spend = brand.ledger_daily
            brand.current_monthly_spend = brand.ledger_monthly
            if any(getattr(before, name) != getattr(brand, name) for name in TOTAL_FIELDS):
                changed.append((before, brand))
        BudgetService._write_totals([after for _, after in changed], TOTAL_FIELDS)
        return changed

    @classmethod
    def refresh_brand(cls, brand: Brand, cause: str = Cause.OPERATOR) -> None:
        """Recount a brand from the ledger and re-evaluate its campaigns.

        Runs whenever a brand is saved: a new budget or time zone takes effect at once.
        """
        with transaction.atomic():
            _lock_brands(Brand.objects.filter(pk=brand.pk))
            now = timezone.now()
            period = local_period(now, zone(brand.timezone))
            cls._recount(Brand.objects.filter(pk=brand.pk), [(Q(pk=brand.pk), period)])
            CampaignService.sync(Campaign.objects.filter(brand_id=brand.pk), cause, now=now)
        brand.refresh_from_db(fields=TOTAL_FIELDS)

    @staticmethod
    def _current_periods(now: datetime) -> dict[str, LocalPeriod]:
        zones = Brand.objects.order_by().values_list("timezone", flat=True).distinct()
        return {name: local_period(now, zone(name)) for name in zones}

    @classmethod
    def reset_daily_monthly_spends(cls, now: datetime | None = None) -> ResetResult:
        """Start the new day's (month's) totals of every brand whose local day has turned.

        Then bring every campaign in line, which reactivates those whose constraints have all
        cleared, whether this run or a spend after midnight rolled their brand over. A fixed
        number of queries; idempotent; after any downtime one run catches up.
        """
        with transaction.atomic():
            # The sweep below locks every brand; take them all now, in pk order, so the
            # recount's partial lock cannot interleave with a batch writer's.
            _lock_brands(Brand.objects.all())
            # The clock is read once the locks are held: a spend that waited-for lock turned
            # into the new day first is then seen, and no brand's day moves backwards.
            now = now or timezone.now()
            periods = cls._current_periods(now)
            stale = Q(pk__in=[])
            for name, period in periods.items():
                stale |= Q(timezone=name, spend_day__lt=period.day)
            rules = [(Q(timezone=name), period) for name, period in periods.items()]
            changed = cls._recount(Brand.objects.filter(stale), rules)
            campaigns = CampaignService.sync_all(Cause.RESET, now=now)
        rolled = [
            RolledBrand(
                name=after.name,
                old_day=before.spend_day,
                new_day=after.spend_day,
                new_month=before.spend_month != after.spend_month,
                daily_spend=after.current_daily_spend,
                monthly_spend=after.current_monthly_spend,
            )
            for before, after in changed
            if before.spend_day != after.spend_day
        ]
        return ResetResult(rolled=rolled, campaigns=campaigns)

    @staticmethod
    def _stored_period_rules() -> list[PeriodRule]:
        stored = Brand.objects.order_by().values_list("timezone", "spend_day").distinct()
        return [
            (
                Q(timezone=name, spend_day=day),
                local_period(local_midnight(day, zone(name)), zone(name)),
            )
            for name, day in stored
        ]

    @classmethod
    def find_drift(cls) -> list[Drift]:
        """Brands whose stored totals differ from the ledger's for the day and month they cover."""
        brands = with_ledger_totals(Brand.objects.all(), cls._stored_period_rules()).order_by("pk")
        return [
            Drift(
                brand_id=brand.pk,
                name=brand.name,
                day=brand.spend_day,
                stored_daily=brand.current_daily_spend,
                ledger_daily=brand.ledger_daily,
                stored_monthly=brand.current_monthly_spend,
                ledger_monthly=brand.ledger_monthly,
            )
            for brand in brands
            if brand.current_daily_spend != brand.ledger_daily
            or brand.current_monthly_spend != brand.ledger_monthly
        ]

    @classmethod
    def fix_drift(cls, drift: list[Drift]) -> SyncResult:
        """Set the drifted brands' totals to the ledger's and re-evaluate their campaigns."""
        if not drift:
            return SyncResult()
        ids = [item.brand_id for item in drift]
        with transaction.atomic():
            _lock_brands(Brand.objects.filter(pk__in=ids))
            now = timezone.now()
            changed = cls._recount(Brand.objects.filter(pk__in=ids), cls._stored_period_rules())
            TotalsCorrection.objects.bulk_create(
                TotalsCorrection(
                    brand_id=after.pk,
                    corrected_at=now,
                    day=after.spend_day,
                    daily_before=before.current_daily_spend,
                    daily_after=after.current_daily_spend,
                    monthly_before=before.current_monthly_spend,
                    monthly_after=after.current_monthly_spend,
                )
                for before, after in changed
            )
            return CampaignService.sync(
                Campaign.objects.filter(brand_id__in=ids), Cause.RECONCILE, now=now
            )

    @staticmethod
    def get_brand_summary(brand: Brand) -> dict[str, Any]:
        """The brand's budgets, spend and campaign counts, read fresh from the database."""
        if not isinstance(brand, Brand) or brand.pk is None:
            raise ValidationError({"brand": f"{brand!r} is not a saved brand."})
        current = (
            Brand.objects.annotate(
                active_campaigns=Count("campaigns", filter=Q(campaigns__is_active=True)),
                total_campaigns=Count("campaigns"),
            )
            .filter(pk=brand.pk)
            .first()
        )
        if current is None:
            raise ValidationError({"brand": f"Brand {brand.pk} does not exist."})
        return {
            "name": current.name,
            "timezone": current.timezone,
            "day": current.spend_day,
            "daily_budget": current.daily_budget,
            "monthly_budget": current.monthly_budget,
            "current_daily_spend": current.current_daily_spend,
            "current_monthly_spend": current.current_monthly_spend,
            "daily_remaining": current.daily_budget_remaining,
            "monthly_remaining": current.monthly_budget_remaining,
            "daily_exceeded": current.is_daily_budget_exceeded,
            "monthly_exceeded": current.is_monthly_budget_exceeded,
            "active_campaigns": current.active_campaigns,
            "total_campaigns": current.total_campaigns,
        }

    @classmethod
    def _new_spend(cls, entry: SpendEntryInput) -> SpendLog:
        """An unsaved ledger row for one entry, checked as `record_spend` checks its arguments."""
        try:
            if isinstance(entry, Mapping):
                entry = SpendEntry(**entry)
            elif isinstance(entry, tuple):
                entry = SpendEntry(*entry)
        except TypeError as error:
            raise ValidationError(f"Not a spend entry: {error}.") from None
        if not isinstance(entry, SpendEntry):
            raise ValidationError(f"{entry!r} is not a SpendEntry, a dict or a tuple.")
        external_id = entry.external_id
        if external_id is not None:
            external_id = cls._text(external_id, "external_id", 200).strip() or None
        return SpendLog(
            campaign_id=_campaign_id(entry.campaign),
            amount=parse_amount(entry.amount),
            timestamp=cls._spend_time(entry.timestamp),
            description=cls._text(entry.description, "description", 500),
            external_id=external_id,
        )

    @staticmethod
    def _entry_error(index: int, error: ValidationError) -> ValidationError:
        """`error` restated as 'entry 17: amount: ...'; `params["index"]` points at the entry."""
        if hasattr(error, "error_dict"):
            details = [
                f"{name}: {message}"
                for name, messages in error.message_dict.items()
                for message in messages
            ]
        else:
            details = list(error.messages)
        return ValidationError(
            "entry %(index)s: %(detail)s",
            code="invalid_entry",
            params={"index": index, "detail": "; ".join(details)},
        )

    @classmethod
    def _new_spends(cls, entries: Iterable[SpendEntryInput]) -> list[SpendLog]:
        spends = []
        for index, entry in enumerate(entries):
            try:
                spends.append(cls._new_spend(entry))
            except ValidationError as error:
                raise cls._entry_error(index, error) from None
        return spends

    @classmethod
    def _lock_brands_of_spends(cls, spends: list[SpendLog]) -> dict[int, Brand]:
        """Lock the brands of the spends' campaigns in pk order; map each campaign to its brand.

        One statement joins the campaigns to their brands and locks the brand rows only. Rows
        come back as tuples, one per campaign, and each brand is built once with the columns
        the roll-up needs (the others load on access, as with `only()`).
        """
        rows = (
            Brand.objects.filter(campaigns__in={spend.campaign_id for spend in spends})
            .order_by("pk")
            .select_for_update(no_key=True, of=("self",))
            .values_list("campaigns__pk", *_LOCKED_BRAND_FIELDS)
        )
        brands: dict[int, Brand] = {}
        brand_of = {}
        for campaign_id, *values in rows:
            brand = brands.get(values[0])
            if brand is None:
                brand = Brand.from_db(connection.alias, _LOCKED_BRAND_FIELDS, values)
                brands[brand.pk] = brand
            brand_of[campaign_id] = brand
        for index, spend in enumerate(spends):
            if spend.campaign_id not in brand_of:
                message = f"Campaign {spend.campaign_id} does not exist."
                raise cls._entry_error(index, ValidationError({"campaign": message}))
        return brand_of

    @staticmethod
    def _known_spends(spends: list[SpendLog]) -> dict[tuple[int, str], SpendLog]:
        """The ledger rows already recorded under the spends' (campaign, external_id) pairs.

        The pairs go in as a VALUES list joined on the unique (campaign, external_id) index:
        exact, and cheap to build, where the ORM (which has no pair lookup) would need one OR
        term per pair at about half a millisecond each.
        """
        pairs = sorted({(s.campaign_id, s.external_id) for s in spends if s.external_id})
        table = connection.ops.quote_name(SpendLog._meta.db_table)
        known = {}
        # One statement on PostgreSQL; as many as SQLite's limit on parameters needs there.
        size = max(connection.ops.bulk_batch_size(["campaign_id", "external_id"], pairs), 1)
        for start in range(0, len(pairs), size):
            chunk = pairs[start : start + size]
            values = ", ".join(["(%s, %s)"] * len(chunk))
            sql = (
                f"SELECT spend.* FROM {table} spend JOIN (VALUES {values}) AS pairs"  # noqa: S608 - placeholders only
                " ON spend.campaign_id = pairs.column1 AND spend.external_id = pairs.column2"
            )
            for row in SpendLog.objects.raw(sql, [value for pair in chunk for value in pair]):
                known[(row.campaign_id, str(row.external_id))] = row
        return known

    @staticmethod
    def _write_totals(brands: list[Brand], fields: Sequence[str]) -> None:
        """Store `fields` of `brands`, whose rows this transaction holds locked: one UPDATE.

        Joined to a VALUES list rather than bulk_update's CASE, whose arms the database tries
        one by one for every row (minutes for 10,000 brands) and whose expression objects cost
        more to build than a whole batch of spends.
        """
        quote = connection.ops.quote_name
        table = quote(Brand._meta.db_table)
        columns = [column for column in Brand._meta.concrete_fields if column.name in fields]
        assignments = ", ".join(
            f"{quote(column.column)} = totals.column{number}"
            for number, column in enumerate(columns, start=2)
        )
        row = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
        size = max(connection.ops.bulk_batch_size(["id", *fields], brands), 1)
        for start in range(0, len(brands), size):
            chunk = brands[start : start + size]
            sql = (
                f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([row] * len(chunk))})"  # noqa: S608 - placeholders only
                f" AS totals WHERE {table}.{quote('id')} = totals.column1"
            )
            params = [
                value
                for brand in chunk
                for value in (
                    brand.pk,
                    *(
                        column.get_db_prep_save(getattr(brand, column.attname), connection)
                        for column in columns
                    ),
                )
            ]
            with connection.cursor() as cursor:
                cursor.execute(sql, params)

    @classmethod
    def _roll_up(
        cls, spends: list[SpendLog], brand_of: dict[int, Brand], *, entries: list[SpendLog]
    ) -> SyncResult:
        """Add new ledger rows to their (locked) brands' totals: one statement for all brands.

        As in `apply_spend`, a brand still dated to an earlier day is recounted from the ledger
        instead (the new rows are already in it), and a spend that would take a total past what
        the database holds is refused, naming its index in `entries` (the whole checked batch).
        Then the campaigns of the brands rolled over or now over budget are re-evaluated, once
        for the whole call.
        """
        now = timezone.now()
        added: dict[Brand, list[SpendLog]] = defaultdict(list)
        for spend in spends:
            added[brand_of[spend.campaign_id]].append(spend)
        updated, rolled, over = [], [], []
        periods: dict[str, LocalPeriod] = {}
        for brand, new in added.items():
            if brand.timezone not in periods:
                periods[brand.timezone] = local_period(now, zone(brand.timezone))
            period = periods[brand.timezone]
            if brand.spend_day != period.day or brand.spend_month != period.month:
                rolled.append(brand)
                continue
            brand.current_daily_spend += sum(
                (spend.amount for spend in new if period.contains_day(spend.timestamp)), ZERO
            )
            brand.current_monthly_spend += sum(
                (spend.amount for spend in new if period.contains_month(spend.timestamp)), ZERO
            )
            overflow = cls._overflow(brand, new, period)
            if overflow is not None:
                index = next(i for i, entry in enumerate(entries) if entry is overflow[0])
                raise cls._entry_error(index, overflow[1])
            updated.append(brand)
            if brand.is_daily_budget_exceeded or brand.is_monthly_budget_exceeded:
                over.append(brand.pk)
        # Absolute values are safe here: the rows were read under this transaction's lock.
        cls._write_totals(updated, ("current_daily_spend", "current_monthly_spend"))
        if rolled:
            zones = {brand.timezone for brand in rolled}
            cls._recount(
                Brand.objects.filter(pk__in=[brand.pk for brand in rolled]),
                [(Q(timezone=name), periods[name]) for name in zones],
            )
        if not rolled and not over:
            return SyncResult()
        campaigns = Campaign.objects.filter(
            Q(brand_id__in=[brand.pk for brand in rolled]) | Q(brand_id__in=over, is_active=True)
        )
        return CampaignService.sync(campaigns, Cause.SPEND, now=now)

    @classmethod
    def check_spends(cls, entries: Iterable[SpendEntryInput]) -> None:
        """Raise the ValidationError `record_spends` would raise for these values; write nothing.

        Lets an importer reject a whole file before recording any of it. Whether each campaign
        exists is left to `record_spends`, which reads it under the brand lock.
        """
        cls._new_spends(entries)

    @classmethod
    def record_spend_batch(cls, entries: Iterable[SpendEntryInput]) -> SpendBatch:
        """`record_spends`, also telling which rows are new and what the roll-up changed."""
        spends = cls._new_spends(entries)
        if not spends:
            return SpendBatch([], [], [], SyncResult())
        with transaction.atomic():
            brand_of = cls._lock_brands_of_spends(spends)
            known = cls._known_spends(spends)
            rows, created = [], []
            for spend in spends:
                row = spend
                if spend.external_id is not None:
                    row = known.setdefault((spend.campaign_id, spend.external_id), spend)
                if row is spend:
                    created.append(spend)
                rows.append(row)
            # bulk_create sends no post_save: _roll_up does what apply_spend does per row.
            SpendLog.objects.bulk_create(created)
            campaigns = cls._roll_up(created, brand_of, entries=spends)
        brand_ids = sorted({brand_of[spend.campaign_id].pk for spend in created})
        return SpendBatch(rows, created, brand_ids, campaigns)

    @classmethod
    def record_spends(cls, entries: Iterable[SpendEntryInput]) -> list[SpendLog]:
        """Record many spends in one transaction: one ledger row per entry, in input order.

        Each entry (a SpendEntry, or its fields as a dict or a tuple) is checked as
        `record_spend` checks its arguments; a bad one rejects the whole batch with a
        ValidationError naming its index ("entry 17: amount: ...") and nothing changes. A known
        (campaign, external_id), in the ledger or earlier in the batch, gives the row on record
        and counts once. Totals roll up once per brand, and a budget exceeded pauses the brand's
        campaigns at once, as with `record_spend`, in a fixed number of queries.
        """
        return cls.record_spend_batch(entries).spends
