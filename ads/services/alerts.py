"""Alerts: raised in the transaction that makes them true, emailed after it commits.

Threshold alerts are raised by the one roll-up (`raise_threshold_alerts`), which knows each
brand's totals before and after the new ledger rows: the levels crossed are worked out here in
Python, and only when one was crossed is the database asked to store them (one INSERT ... ON
CONFLICT DO NOTHING, so processes crossing a level together store it once). Stale-data alerts
are raised by a periodic task (`raise_stale_data_alerts`), set-based.

Every alert raised passes through `alerts_raised`, the one place that hears of new alerts:
it queues their email for after the commit (and is where other consumers, such as events,
hook in). The email goes out from a Celery task, never inside a transaction; when the broker
cannot take the task the spend still commits and `email_pending_alerts`, a periodic sweep,
sends what was left.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ads.models import Brand, BudgetAlert
from ads.periods import local_period, zone
from ads.rules.alerts import PERIOD_NAMES, crossed_levels, threshold_message
from ads.selectors.alerts import stale_brands
from ads.services.broker import queue_task
from ads.services.events import record_alert_events
from ads.sql.alerts import NewAlert, insert_new_alerts

Kind = BudgetAlert.Kind
Period = BudgetAlert.Period

# The after-commit task retries for about this long (ads.tasks.send_alert_email); the sweep
# leaves younger alerts to it, so the two rarely send the same email.
EMAIL_TASK_WINDOW = timedelta(minutes=15)
# Alerts one sweep emails at most: a backlog drains over a few runs, each one short.
SWEEP_BATCH = 200


@dataclass(frozen=True)
class SpendChange:
    """A brand whose totals the roll-up just wrote (`brand` holds them), and how much of the
    new rows counted in its current day and month."""

    brand: Brand
    daily_added: Decimal
    monthly_added: Decimal


def alert_levels(brand: Brand) -> list[int]:
    """The brand's own levels, or the site's default when it has none."""
    return list(brand.alert_thresholds or settings.BUDGET_ALERT_THRESHOLDS)


def raise_threshold_alerts(changes: Iterable[SpendChange], *, now: datetime) -> list[int]:
    """Raise an alert for each level of a daily or monthly budget that `changes` crossed.

    Called inside the spend's transaction, with the brands locked. No statement at all
    unless a level was crossed, then one for the whole call. Returns the ids raised now.
    """
    new = [alert for change in changes for alert in _crossed(change, now=now)]
    if not new:
        return []
    return alerts_raised(insert_new_alerts(new))


def _crossed(change: SpendChange, *, now: datetime) -> list[NewAlert]:
    brand = change.brand
    levels = alert_levels(brand)
    found = []
    for period, after, added, budget, start in (
        (Period.DAY, brand.current_daily_spend, change.daily_added, brand.daily_budget,
         brand.spend_day),
        (Period.MONTH, brand.current_monthly_spend, change.monthly_added,
         brand.monthly_budget, brand.spend_month),
    ):  # fmt: skip
        for level in crossed_levels(after - added, after, budget=budget, levels=levels):
            message = threshold_message(
                brand=brand.name,
                level=level,
                period=period,
                period_start=start,
                spend=after,
                budget=budget,
                currency=brand.currency,
            )
            found.append(NewAlert(brand.pk, Kind.THRESHOLD, level, period, start, now, message))
    return found


def raise_stale_data_alerts(*, now: datetime | None = None) -> list[int]:
    """Raise a stale-data alert, once per local day, for each brand with serving campaigns
    and no ledger entry recorded for `settings.BUDGET_STALE_AFTER` seconds.

    Two statements whatever the number of brands (the read of the stale ones, the insert),
    and the outbox's one for their events.
    """
    now = now or timezone.now()
    after = timedelta(seconds=settings.BUDGET_STALE_AFTER)
    new = []
    for brand in stale_brands(cutoff=now - after):
        tz = zone(brand.timezone)
        day = local_period(now, tz).day
        last = (
            f"the last was recorded at {brand.last_recorded_at.astimezone(tz):%Y-%m-%d %H:%M} "
            f"{brand.timezone}"
            if brand.last_recorded_at
            else "none has been recorded yet"
        )
        message = (
            f"{brand.name} has had no spend recorded for {_duration(after)} while "
            f"{brand.serving} of its campaigns serve: {last}."
        )
        new.append(NewAlert(brand.pk, Kind.STALE_DATA, 0, Period.DAY, day, now, message))
    return alerts_raised(insert_new_alerts(new))


def _duration(span: timedelta) -> str:
    hours, seconds = divmod(int(span.total_seconds()), 3600)
    if seconds == 0:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{int(span.total_seconds()) // 60} minutes"


def alerts_raised(alerts: Sequence[BudgetAlert]) -> list[int]:
    """Everything that follows new alerts, in the transaction that raised them: their email
    is queued for after the commit, and each is published as a budget.alert event. Returns
    their ids."""
    ids = [alert.pk for alert in alerts]
    if ids:
        transaction.on_commit(lambda: queue_alert_email(ids))
        record_alert_events(alerts)
    return ids


def queue_alert_email(ids: list[int]) -> None:
    """Queue the email of `ids` (after the commit); with the broker down, the sweep sends it."""
    queue_task(
        "ads.tasks.send_alert_email",
        args=[ids],
        unqueued=f"Could not queue the email of alerts {ids}; the sweep will.",
    )


def email_alerts(ids: Sequence[int]) -> int:
    """Email the alerts `ids` not yet emailed, one message each; return how many went out.

    Runs outside any transaction (each alert is marked as it goes), so a mail server that
    fails half-way leaves the rest pending, for a retry or the sweep. An alert whose brand
    has no addresses is marked too: there is no one to tell.
    """
    alerts = list(
        BudgetAlert.objects.filter(pk__in=list(ids), emailed_at__isnull=True)
        .select_related("brand")
        .order_by("pk")
    )
    if not alerts:
        return 0
    addressed = [alert for alert in alerts if alert.brand.alert_emails]
    # Counted before connecting: a server that refuses the connection is an attempt too.
    BudgetAlert.objects.filter(pk__in=[alert.pk for alert in addressed]).update(
        email_attempts=F("email_attempts") + 1
    )
    BudgetAlert.objects.filter(
        pk__in=[alert.pk for alert in alerts if not alert.brand.alert_emails]
    ).update(emailed_at=timezone.now())
    if not addressed:
        return 0
    sent = 0
    with get_connection(timeout=settings.EMAIL_TIMEOUT) as mail:
        for alert in addressed:
            message = EmailMessage(
                subject=alert_subject(alert),
                body=alert_body(alert),
                to=list(alert.brand.alert_emails),
                connection=mail,
            )
            message.send()
            sent += 1
            BudgetAlert.objects.filter(pk=alert.pk, emailed_at__isnull=True).update(
                emailed_at=timezone.now()
            )
    return sent


def email_pending_alerts(*, now: datetime | None = None) -> int:
    """The sweep: email alerts left unsent by their task (broker or mail server down)."""
    now = now or timezone.now()
    pending = BudgetAlert.objects.filter(
        emailed_at__isnull=True, raised_at__lte=now - EMAIL_TASK_WINDOW
    ).order_by("raised_at", "pk")
    return email_alerts(list(pending.values_list("pk", flat=True)[:SWEEP_BATCH]))


def alert_subject(alert: BudgetAlert) -> str:
    brand = alert.brand.name
    if alert.kind == Kind.STALE_DATA:
        return f"{brand}: no spend recorded lately"
    return f"{brand}: {alert.threshold}% of the {PERIOD_NAMES[alert.period]} budget reached"


def alert_body(alert: BudgetAlert) -> str:
    """The alert's message and when it was raised, in the brand's zone (named)."""
    raised = alert.raised_at.astimezone(zone(alert.brand.timezone))
    return f"{alert.message}\n\nRaised at {raised:%Y-%m-%d %H:%M:%S} {alert.brand.timezone}.\n"
