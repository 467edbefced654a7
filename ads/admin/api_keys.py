"""API keys in the admin: superusers only; the key shown once, after it is made; revocable.

The add form asks only for a name and scopes; the secret is made by the service, shown once in
a message to the superuser who made it, and stored as its SHA-256. It is never logged: the
admin's change message names the key, not the secret.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from ads.admin.base import ModelAdmin
from ads.admin.forms import ModelForm
from ads.models import ApiKey
from ads.services.api_keys import create_key, revoke_keys


class ApiKeyForm(ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=ApiKey.Scope.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ApiKey
        fields = ("name", "scopes")


@admin.register(ApiKey)
class ApiKeyAdmin(ModelAdmin):
    form = ApiKeyForm
    list_display = ("name", "prefix", "scopes", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")
    actions = ("revoke",)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: ApiKey | None = None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: ApiKey | None = None) -> bool:
        # A key's secret and scopes are fixed when made: revoke it and make another.
        return request.user.is_superuser and obj is None

    def has_delete_permission(self, request: HttpRequest, obj: ApiKey | None = None) -> bool:
        return request.user.is_superuser

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        """Made by the service, which makes the secret; shown once, here."""
        try:
            made = create_key(obj.name, scopes=form.cleaned_data["scopes"])
        except ValidationError as error:
            # The form checked the name and scopes already; a race on the name lands here.
            raise forms.ValidationError(error.messages) from None
        obj.pk = made.api_key.pk
        obj.refresh_from_db()
        messages.warning(
            request,
            f"The key for {obj.name!r} is shown this once and stored hashed; copy it now: "
            f"{made.key}",
        )

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        count = revoke_keys(queryset)
        self.message_user(request, f"{count} key(s) revoked; requests with them now get 401.")
