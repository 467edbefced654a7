"""Webhooks: endpoints (superusers only: they hold secrets), and the events, deliveries and
attempts the outbox wrote, read-only for the Ad ops group with a "deliver again" action.

Times are shown in UTC, named: an event is not any one brand's. Writes go through
`ads.services.webhooks.deliver_again`; no page shows an endpoint's secret to anyone else.
"""

from datetime import datetime
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from ads.admin.base import ModelAdmin, ReadOnlyAdmin, ReadOnlyInline
from ads.admin.forms import ModelForm
from ads.models import Delivery, DeliveryAttempt, Event, WebhookEndpoint
from ads.services.webhooks import deliver_again


def utc(when: datetime | None) -> str:
    return "–" if when is None else f"{when:%Y-%m-%d %H:%M:%S} UTC"


class WebhookEndpointForm(ModelForm):
    """Event types picked from the known ones: a typo would silently subscribe to nothing."""

    url = forms.URLField(max_length=500, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        choices=Event.Type.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every type.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("url", "secret", "event_types", "is_active")


class SuperuserOnly:
    """Every permission of the page is the superuser's alone, whatever the groups grant."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(SuperuserOnly, ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("url", "event_types", "is_active", "created_at")
    list_filter = ("is_active",)


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("id", "type", "time_utc", "campaign_id")
    list_filter = ("type",)
    search_fields = ("=id", "=campaign_id")
    fields = ("id", "type", "time_utc", "campaign_id", "data")
    readonly_fields = fields

    @admin.display(description="time", ordering="time")
    def time_utc(self, event: Event) -> str:
        return utc(event.time)


class AttemptInline(ReadOnlyInline):
    model = DeliveryAttempt
    fields = ("attempted_utc", "status_code", "duration_ms", "error")
    readonly_fields = fields

    @admin.display(description="attempted at")
    def attempted_utc(self, attempt: DeliveryAttempt) -> str:
        return utc(attempt.attempted_at)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "event",
        "endpoint",
        "status",
        "attempts",
        "next_attempt_utc",
        "delivered_utc",
        "last_error",
    )
    list_filter = ("status", "event__type")
    list_select_related = ("event", "endpoint")
    search_fields = ("=event__id", "=event__campaign_id")
    fields = list_display
    readonly_fields = fields
    inlines = (AttemptInline,)
    actions = ("deliver_again",)

    @admin.display(description="next attempt", ordering="next_attempt_at")
    def next_attempt_utc(self, delivery: Delivery) -> str:
        return utc(delivery.next_attempt_at) if delivery.status == Delivery.Status.PENDING else "–"

    @admin.display(description="delivered at", ordering="delivered_at")
    def delivered_utc(self, delivery: Delivery) -> str:
        return utc(delivery.delivered_at)

    def has_redeliver_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("ads.change_delivery"))

    @admin.action(description="Deliver again", permissions=("redeliver",))
    def deliver_again(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        count = deliver_again(queryset)
        noun = "delivery" if count == 1 else "deliveries"
        self.message_user(request, f"{count} {noun} queued to send again.", messages.SUCCESS)
