"""A campaign's dayparting schedule on its own page: the schedule's window and its extra windows.

Django has no nested inlines, so the campaign page edits the schedule's own window and links
here ("Edit the windows"), where the extra windows are a table under it. The page checks its
windows together: each window's own clean() compares it with the windows as stored, which a
page that moves two windows at once would wrongly refuse, so the forms turn that off and the
formset compares the schedule's window and every window on the page, as they will be saved.
"""

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from ads.admin.base import STYLES, OneEvaluationAdmin, TabularInline
from ads.admin.forms import BaseInlineFormSet, DaypartingScheduleForm, LocalTimeInput, ModelForm
from ads.models import DaypartingSchedule, DaypartingWindow
from ads.models.campaign import weekly
from ads.rules.windows import overlap_messages


class PageScheduleForm(DaypartingScheduleForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.check_neighbours = False


class WindowForm(ModelForm):
    # The schedule form's checkboxes (each form copies its fields).
    days_of_week = DaypartingScheduleForm.base_fields["days_of_week"]

    class Meta:
        model = DaypartingWindow
        fields = ("start_time", "end_time", "days_of_week")
        widgets = {"start_time": LocalTimeInput(), "end_time": LocalTimeInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.check_neighbours = False


class WindowsFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        """Refuse the page when two of its windows (the schedule's included) overlap."""
        super().clean()
        if any(self.errors):
            return
        kept = [
            form.instance
            for form in self.forms
            if not form.cleaned_data.get("DELETE") and (form.instance.pk or form.has_changed())
        ]
        messages = overlap_messages([weekly(self.instance), *map(weekly, kept)])
        if messages:
            raise ValidationError(messages)


class WindowInline(TabularInline):
    model = DaypartingWindow
    form = WindowForm
    formset = WindowsFormSet
    extra = 1
    verbose_name_plural = "More windows (a campaign serves when any window is open)"


@admin.register(DaypartingSchedule)
class DaypartingScheduleAdmin(OneEvaluationAdmin):
    form = PageScheduleForm
    inlines = (WindowInline,)
    readonly_fields = ("campaign",)
    fields = ("campaign", "start_time", "end_time", "days_of_week", "timezone")
    list_display = ("campaign", "__str__")
    list_select_related = ("campaign__brand",)
    search_fields = ("campaign__name", "campaign__brand__name")

    class Media:
        css = STYLES

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A schedule starts on its campaign's page, where its first window is set.
        return False
