"""Events to the outside: an outbox written with each change, delivered to webhook endpoints.

Payload -> delivery -> attempt: an `Event` is written in the transaction of the change it
tells of; a `Delivery` per subscribed endpoint carries its state and the time of its next
attempt (scheduled in the database, not in Celery countdowns); each `DeliveryAttempt` is one
POST, kept for the admin.
"""

import uuid

from django.db import models
from django.utils import timezone


class WebhookEndpoint(models.Model):
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=200, help_text="Signs every delivery (HMAC-SHA256).")
    event_types = models.JSONField(
        default=list, blank=True, help_text="Event types to send; empty means all."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("url",)

    def __str__(self) -> str:
        return self.url


class Event(models.Model):
    """One CloudEvents document, stored before it is sent."""

    class Type(models.TextChoices):
        CAMPAIGN_PAUSED = "campaign.paused"
        CAMPAIGN_ACTIVATED = "campaign.activated"
        BUDGET_ALERT = "budget.alert"

    # The CloudEvents id. On PostgreSQL `ads.sql.outbox.insert_events` has the database draw it
    # (gen_random_uuid()); the default serves SQLite and the ORM.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(max_length=40, choices=Type.choices)
    time = models.DateTimeField(default=timezone.now, db_index=True)
    data = models.JSONField()
    # Events of one campaign reach an endpoint in the order they happened. A number, not a
    # foreign key: the event outlives a campaign deleted without spend.
    campaign_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ("time", "id")

    def __str__(self) -> str:
        return f"{self.type} {self.id}"


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    # No FOREIGN KEY constraints in the database (Django cascades the deletes itself): their
    # two checks per delivery row at commit cost a batch of 100 pausing spends about 0.9 ms
    # (docs/BENCHMARKS.md, "The outbox"), and a delivery is only ever written by
    # `ads.sql.outbox.insert_events`, from the event it has just inserted and an endpoint it
    # has just read. The unique constraint below, led by event, serves the lookups by event:
    # no index of its own.
    event = models.ForeignKey(
        Event,
        on_delete=models.CASCADE,
        related_name="deliveries",
        db_constraint=False,
        db_index=False,
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", db_constraint=False
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ("-next_attempt_at",)
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=("event", "endpoint"), name="delivery_once_per_endpoint")
        ]
        indexes = [
            models.Index(
                fields=("next_attempt_at",),
                condition=models.Q(status="pending"),
                name="delivery_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint} ({self.status})"


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ("-attempted_at", "-id")

    def __str__(self) -> str:
        return f"{self.delivery_id} at {self.attempted_at:%Y-%m-%d %H:%M:%S} UTC"
