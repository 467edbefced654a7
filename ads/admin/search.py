"""Searching at agency scale: campaigns labelled 'Brand / Campaign' in the pickers, and the
spend list's search matched among campaigns before the ledger."""

from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.db.models import Q, QuerySet
from django.utils.text import smart_split, unescape_string_literal

from ads.admin.forms import campaign_label
from ads.models import Brand, Campaign

# Up to this many campaigns a name names are read once as ids: each query of the spend list
# (count, page, date links) then looks them up in the (campaign, timestamp) index. Past it a
# list of ids would cost more than the subquery that matches them again in each query.
NAMED_CAMPAIGN_IDS = 1000


class CampaignSearchView(AutocompleteJsonView):
    """The admin's autocomplete answers for campaigns, each labelled 'Brand / Campaign'."""

    def get_queryset(self) -> QuerySet[Campaign]:
        campaigns: QuerySet[Campaign] = super().get_queryset()
        return campaigns.select_related("brand")

    def serialize_result(self, obj: Campaign, to_field_name: str) -> dict[str, str]:
        return {"id": str(getattr(obj, to_field_name)), "text": campaign_label(obj)}


def search_words(search_term: str) -> list[str]:
    """The words of a search as the admin's own search reads them: quoted phrases kept whole."""
    words = []
    for word in smart_split(search_term):
        if word[:1] in ('"', "'") and word[-1] == word[0]:
            word = unescape_string_literal(word)
        words.append(word)
    return words


def campaigns_named(word: str) -> "list[int] | QuerySet[Campaign, int]":
    """The campaigns whose name or brand's name holds `word` (any case): their ids."""
    brands = Brand.objects.filter(name__icontains=word).values("pk")
    named = Campaign.objects.filter(Q(name__icontains=word) | Q(brand__in=brands))
    ids = named.values_list("pk", flat=True)
    few = list(ids[: NAMED_CAMPAIGN_IDS + 1])
    return few if len(few) <= NAMED_CAMPAIGN_IDS else ids
