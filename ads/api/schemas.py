"""The shapes of the API's bodies, for its OpenAPI description.

Request bodies are read by `ads.api.fields`, not by these models (so a JSON float is refused
rather than converted); these describe them, and the responses, for clients and schemathesis.
"""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, RootModel

DecimalText = Annotated[str, Field(pattern=r"^-?[0-9]+(\.[0-9]{1,2})?$", examples=["12.50"])]
Amount = DecimalText | int
Time = Annotated[
    str, Field(description="RFC 3339 with an offset", examples=["2026-03-18T12:00:00Z"])
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SpendIn(Strict):
    campaign_id: int
    amount: Amount
    timestamp: Time | None = None
    external_id: str | None = None
    description: str = ""


class SpendBodyModel(
    RootModel[SpendIn | Annotated[list[SpendIn], Field(min_length=1, max_length=1000)]]
):
    """One spend object, or a list of 1 to 1,000."""


class SpendResult(BaseModel):
    id: int
    created: bool


class AdjustmentIn(Strict):
    campaign_id: int
    amount: Amount
    reason: str
    external_id: str | None = None
    timestamp: Time | None = None


class ReportIn(Strict):
    campaign_id: int
    day: Annotated[str, Field(examples=["2026-03-18"])]
    total: Amount
    source: str


class EntryOut(BaseModel):
    id: int
    campaign_id: int
    kind: str
    amount: DecimalText
    timestamp: str
    description: str
    reason: str
    external_id: str | None
    created: bool


class NotCreated(BaseModel):
    created: bool


class ErrorItem(BaseModel):
    entry: int | None
    field: str | None
    message: str


class Errors(BaseModel):
    errors: list[ErrorItem]


class BrandOut(BaseModel):
    """The brand summary; Decimals as strings, dates and times in ISO 8601 / RFC 3339."""

    model_config = ConfigDict(extra="allow")
    id: int
    name: str
    timezone: str
    daily_budget: str
    monthly_budget: str
    current_daily_spend: str
    current_monthly_spend: str


class CampaignOut(BaseModel):
    id: int
    brand_id: int
    is_enabled: bool
    is_active: bool
    reasons: list[str]
    resumes_at: Time | None
