"""What every page family of the admin shares: its generic classes, its stylesheet, and the
read-only pages and inlines of the rows the system writes."""

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from ads.admin.forms import LatestRowsFormSet
from ads.services import CampaignService

if TYPE_CHECKING:
    # The admin's classes are generic only in django-stubs: no runtime __class_getitem__.
    ModelAdmin = admin.ModelAdmin[Any]
    TabularInline = admin.TabularInline[Any, Any]
    StackedInline = admin.StackedInline[Any, Any]
else:
    ModelAdmin = admin.ModelAdmin
    TabularInline = admin.TabularInline
    StackedInline = admin.StackedInline

STYLES = {"all": ("ads/admin.css",)}


def operator(request: HttpRequest) -> AbstractBaseUser | None:
    """The signed-in person an admin request acts for, named in the status history."""
    user = request.user
    return user if isinstance(user, AbstractBaseUser) else None


class OneEvaluationAdmin(ModelAdmin):
    """An edit page whose saves are evaluated once, at the end, naming the person.

    One edit is several saves (a campaign, then its schedule inline; a schedule, then its
    windows; a brand, whose receiver re-evaluates its campaigns). Evaluated in between, a
    campaign created with its window closed would log "serving" then "paused". The transaction
    is outside, so the evaluation commits with the edit.
    """

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        with transaction.atomic(), CampaignService.one_evaluation(by=operator(request)):
            return super().changeform_view(request, object_id, form_url, extra_context)


def plural(count: int, *, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


class ReadOnlyAdmin(ModelAdmin):
    """Rows the system writes (history, alerts, the outbox): anyone with the view permission
    reads them, nobody adds, edits or deletes them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(TabularInline):
    """The newest rows of a long history the system wrote, shown and never edited."""

    formset = LatestRowsFormSet
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
