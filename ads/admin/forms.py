"""Admin forms: IANA time zones as a list, weekdays as checkboxes, spend through the service."""

from functools import cached_property
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime, AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from ads.models import Brand, Campaign, DaypartingSchedule, SpendLog
from ads.money import Sign, parse_amount_text
from ads.periods import timezone_names
from ads.rules.windows import ALL_DAYS, WEEKDAY_NAMES
from ads.services import BudgetService

# Django's form classes are generic only in django-stubs: no runtime __class_getitem__.
if TYPE_CHECKING:
    ModelForm = forms.ModelForm[Any]
    ModelChoiceField = forms.ModelChoiceField[Any]
    BaseInlineFormSet = forms.BaseInlineFormSet[Any, Any, Any]
else:
    ModelForm = forms.ModelForm
    ModelChoiceField = forms.ModelChoiceField
    BaseInlineFormSet = forms.BaseInlineFormSet

LATEST_ROWS = 20
# The admin URL (CampaignAdmin's) that answers the campaign pickers' searches.
CAMPAIGN_SEARCH_URL = "ads_campaign_search"


def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(timezone_names())]


class BrandForm(ModelForm):
    timezone = forms.ChoiceField(
        label="Time zone",
        choices=timezone_choices,
        help_text=Brand._meta.get_field("timezone").help_text,
    )

    class Meta:
        model = Brand
        fields = ("name", "timezone", "daily_budget", "monthly_budget")


class LocalTimeInput(forms.TimeInput):
    """The browser's time input, not the admin's clock widget.

    The admin's widget adds "You are N hours behind server time", which is wrong here: the
    window's times are wall-clock times in the schedule's (or the brand's) zone, not the
    server's and not the browser's.
    """

    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M", attrs={"class": "ads-local-time"})


SCHEDULE_ZONE = "local time in the schedule's time zone (below; blank: the brand's)"


class DaypartingScheduleForm(ModelForm):
    days_of_week = forms.TypedMultipleChoiceField(
        label="Days the window starts",
        choices=list(enumerate(WEEKDAY_NAMES)),
        coerce=int,
        initial=list(ALL_DAYS),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Pick at least one day."},
    )
    timezone = forms.ChoiceField(
        label="Time zone",
        choices=lambda: [("", "The brand's time zone"), *timezone_choices()],
        required=False,
        help_text="Blank: the window follows the brand's time zone.",
    )

    class Meta:
        model = DaypartingSchedule
        fields = ("start_time", "end_time", "days_of_week", "timezone")
        widgets = {"start_time": LocalTimeInput(), "end_time": LocalTimeInput()}
        help_texts = {
            "start_time": f"When the window opens (inclusive), {SCHEDULE_ZONE}.",
            "end_time": (
                f"When the window closes (exclusive), {SCHEDULE_ZONE}; earlier than the start "
                "runs overnight."
            ),
        }


def campaign_label(campaign: Campaign) -> str:
    """Campaign names repeat across brands: 'Brand / Campaign' tells them apart."""
    return f"{campaign.brand.name} / {campaign.name}"


class CampaignChoiceField(ModelChoiceField):
    def label_from_instance(self, obj: Campaign) -> str:
        return campaign_label(obj)


class CampaignPicker(AutocompleteSelect):
    """A search box for a campaign, not a drop-down of every campaign of every brand."""

    url_name = f"%s:{CAMPAIGN_SEARCH_URL}"


class LatestRowsFormSet(BaseInlineFormSet):
    """A read-only inline of a long history: its newest rows only (models order newest first)."""

    @cached_property
    def latest(self) -> "QuerySet[Any]":
        return super().get_queryset()[:LATEST_ROWS]

    def get_queryset(self) -> "QuerySet[Any]":
        # The same sliced queryset every time, so it is read once.
        return self.latest


class AmountField(forms.CharField):
    """An amount typed by a person: plain decimal notation (`parse_amount_text`), exactly."""

    # Which amounts the field takes (a spend's by default; `parse_amount`'s sign rules).
    sign: Sign = "positive"

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if text in self.empty_values:
            return text
        try:
            return parse_amount_text(text, sign=self.sign)
        except ValidationError as error:
            raise ValidationError(error.error_dict["amount"]) from None


class SpendLogForm(ModelForm):
    """Records a spend through `BudgetService.record_spend` while validating.

    The service is the one place that checks a spend and it writes in the same step, so the
    form records on a valid submission and turns the service's ValidationError into form
    errors. The form never touches the model instance itself (every model field is excluded):
    the recorded row becomes `instance`. The admin's add view runs in a
    transaction, so a later failure still undoes the record.
    """

    campaign = CampaignChoiceField(
        queryset=Campaign.objects.select_related("brand"),
        widget=CampaignPicker(SpendLog._meta.get_field("campaign"), admin.site),
        help_text="Type part of the brand's or the campaign's name.",
    )
    # Text, not a DecimalField: parsed exactly, in plain notation, naming what is wrong.
    amount = AmountField(max_length=40, help_text="In the brand's currency, e.g. 12.50.")
    # Read in the admin's zone (settings.TIME_ZONE, UTC by default), the zone every time in the
    # admin is shown in and the "Now" shortcut fills in; __init__ names it in the label.
    timestamp = forms.SplitDateTimeField(
        required=False,
        widget=AdminSplitDateTime,
        help_text="When the spend happened; blank means now. A time in the future is rejected.",
    )
    description = forms.CharField(max_length=500, required=False)
    external_id = forms.CharField(
        label="External id",
        max_length=200,
        required=False,
        help_text=SpendLog._meta.get_field("external_id").help_text,
    )

    # The username of the person submitting (the admin sets it per request); empty otherwise.
    recorded_by = ""

    class Meta:
        model = SpendLog
        # Every model field, the ones the ledger gains included: the declared fields go to the
        # service, which builds the row. Not `fields = ()`: the admin would then build the form
        # with the declared fields' names as model fields and write them (a blank timestamp as
        # None) onto the recorded row.
        exclude = tuple(field.name for field in SpendLog._meta.fields)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["timestamp"].label = f"Timestamp ({timezone.get_current_timezone_name()})"

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        external_id = data["external_id"] or None
        known = SpendLog.objects.filter(campaign=data["campaign"], external_id=external_id)
        if external_id is not None and known.exists():
            # The service would return the row on record; a person should hear it counts once.
            self.add_error("external_id", "This campaign already has a spend with this id.")
            return data
        try:
            self.instance = BudgetService.record_spend(
                data["campaign"],
                data["amount"],
                data["description"],
                external_id=external_id,
                timestamp=data["timestamp"],
                recorded_by=self.recorded_by,
            )
        except ValidationError as error:
            self.add_error(None, error)
        return data


class SignedAmountField(AmountField):
    """A credit (written with a minus) or a charge: never 0."""

    sign = "nonzero"


class AdjustmentForm(forms.Form):
    """A credit or a charge, recorded through `BudgetService.record_adjustment` on `save`.

    The service checks everything (the reason, a credit larger than the day's spend) in the
    transaction it writes in; its ValidationError becomes the form's errors.
    """

    campaign = CampaignChoiceField(
        queryset=Campaign.objects.select_related("brand"),
        widget=CampaignPicker(SpendLog._meta.get_field("campaign"), admin.site),
        help_text="Type part of the brand's or the campaign's name.",
    )
    amount = SignedAmountField(
        max_length=40,
        help_text="A credit is negative (-25.00: a refund for invalid clicks, a make-good); a "
        "charge positive.",
    )
    reason = forms.CharField(
        max_length=500, help_text="Why it is made; kept in the ledger with the entry."
    )
    timestamp = forms.SplitDateTimeField(
        required=False,
        widget=AdminSplitDateTime,
        help_text="The moment whose day and month it counts in; blank means now.",
    )
    external_id = forms.CharField(label="External id", max_length=200, required=False)

    def __init__(self, *args: Any, recorded_by: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recorded_by = recorded_by
        self.fields["timestamp"].label = f"Timestamp ({timezone.get_current_timezone_name()})"

    def save(self) -> SpendLog | None:
        """Record the credit or charge; None (with the errors on the form) if refused."""
        data = self.cleaned_data
        try:
            return BudgetService.record_adjustment(
                data["campaign"],
                data["amount"],
                data["reason"],
                external_id=data["external_id"] or None,
                timestamp=data["timestamp"],
                recorded_by=self.recorded_by,
            )
        except ValidationError as error:
            self.add_error(None, error)
            return None
