"""Deleting a brand or a campaign: its system history goes with it, its spend never does."""

from collections.abc import Sequence
from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest

from ads.admin.base import ModelAdmin, plural
from ads.models import CampaignStatusChange, SpendLog, TotalsCorrection


class SystemHistoryDeletion(ModelAdmin):
    """Deleting a brand or campaign takes the history the system wrote about it along.

    Status changes and corrections are read-only for everyone, so Django's delete page would
    demand a delete permission on them that nobody has. They are not the user's to delete one
    by one, but they belong to the deleted object and cascade with it: they need no permission
    of their own. The ledger still blocks: spend is PROTECTed, never deleted with anything, so
    the page says that in one line rather than ask for a permission to delete spend.
    """

    exempt: Sequence[type[Model]] = (CampaignStatusChange, TotalsCorrection, SpendLog)

    def get_deleted_objects(
        self, objs: "Sequence[Any] | QuerySet[Any]", request: HttpRequest
    ) -> tuple[list[Any], dict[Any, Any], set[Any], list[Any]]:
        to_delete, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        exempt = {str(model._meta.verbose_name) for model in self.exempt}
        needed = {name for name in perms_needed if str(name) not in exempt}
        return to_delete, counts, needed, ledger_refusal(protected)


def ledger_refusal(protected: list[Any]) -> list[str]:
    """One line for all the spend that blocks a deletion, instead of a line per spend."""
    if not protected:
        return []
    return [
        f"{plural(len(protected), noun='spend log')}: the ledger keeps every spend for good, so "
        "what has spend cannot be deleted. Disable its campaigns instead."
    ]
