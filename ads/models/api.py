"""API keys and the responses replayed for an Idempotency-Key."""

from django.db import models
from django.utils import timezone


class ApiKey(models.Model):
    """A key for the HTTP API. Only its SHA-256 is stored; the key is shown once, when made."""

    class Scope(models.TextChoices):
        INGEST = "ingest", "Ingest (spend, reports, adjustments)"
        READ = "read", "Read (brand summaries, campaign states)"

    name = models.CharField(max_length=100, unique=True)
    # The first characters of the key, kept to tell keys apart in the admin.
    prefix = models.CharField(max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ("name",)
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class IdempotentResponse(models.Model):
    """The first response to a request with an Idempotency-Key, replayed for 24 hours."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    # A digest of the method, path and body: the same key with another body is a 422.
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("api_key", "key"), name="idempotency_key_once_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code})"
