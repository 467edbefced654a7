"""The endpoints: each reads its body, calls the service the shell calls, and answers JSON."""

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router

from ads.api import reading, schemas
from ads.api.auth import INGEST, READ, key_of
from ads.api.body import parse_json, raw_body
from ads.api.errors import ApiError, batch_problems, problems_of, refused
from ads.models import Brand, Campaign, SpendLog
from ads.services import BudgetService, CampaignService
from ads.services.entries import campaign_id_of
from ads.services.idempotency import Outcome, once, request_digest

router = Router()

MAX_IDEMPOTENCY_KEY = 200
ERRORS = dict.fromkeys((400, 401, 403, 404, 413, 422), schemas.Errors)


def _body_schema(model: Any) -> dict[str, Any]:
    """An OpenAPI requestBody for a body these views read themselves (`ads.api.reading`)."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})
    content = {"application/json": {"schema": _inlined(schema, defs)}}
    return {"requestBody": {"required": True, "content": content}}


def _inlined(schema: Any, defs: dict[str, Any]) -> Any:
    """`schema` with each "$ref" to its `defs` replaced by the definition itself."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            return _inlined(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
        return {key: _inlined(value, defs) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_inlined(item, defs) for item in schema]
    return schema


def jsonable(value: object) -> Any:
    """Decimals as strings (exact), dates and times as ISO 8601 / RFC 3339 text."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def entry_json(entry: SpendLog, *, created: bool = True) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "campaign_id": entry.campaign_id,
        "kind": entry.kind,
        "amount": jsonable(entry.amount),
        "timestamp": jsonable(entry.timestamp),
        "description": entry.description,
        "reason": entry.reason,
        "external_id": entry.external_id,
        "created": created,
    }


def ingest(request: HttpRequest, handle: Callable[[Any], Outcome]) -> HttpResponse:
    """Run `handle` on the JSON body, once per Idempotency-Key; its 4xx answers are kept too."""
    api_key = key_of(request)
    body = raw_body(request)

    def run() -> Outcome:
        try:
            return handle(parse_json(body))
        except ApiError as error:
            return Outcome(error.status, error.body())
        except ValidationError as error:
            return Outcome(400, ApiError(400, problems_of(error, entry=None)).body())

    key = request.headers.get("Idempotency-Key")
    if key is None:
        outcome = run()
    else:
        if not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY:
            raise refused(f"An Idempotency-Key has 1 to {MAX_IDEMPOTENCY_KEY} characters.")
        digest = request_digest(request.method or "", request.path, body)
        outcome = once(api_key, key, digest=digest, run=run)
        if outcome.replayed is None:
            raise refused(
                "This Idempotency-Key was used with another request: use a new key.",
                status=422,
            )
    response = JsonResponse(outcome.body, status=outcome.status, safe=False)
    if outcome.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def _spend(document: object) -> Outcome:
    entries, single = reading.spend_entries(document)
    try:
        batch = BudgetService.record_spend_batch(entries)
    except ValidationError as error:  # a campaign deleted since it was read
        raise ApiError(400, batch_problems(error)) from None
    created = {id(row) for row in batch.created}
    results = [{"id": row.pk, "created": id(row) in created} for row in batch.spends]
    return Outcome(201, results[0] if single else results)


def _adjustment(document: object) -> Outcome:
    values = reading.adjustment(document)
    entry = BudgetService.record_adjustment(
        values.pop("campaign"), values.pop("amount"), values.pop("reason"), **values
    )
    return Outcome(201, entry_json(entry))


def _report(document: object) -> Outcome:
    values = reading.report(document)
    entry = BudgetService.record_reported_spend(
        values["campaign"], values["day"], values["total"], source=values["source"]
    )
    if entry is None:
        return Outcome(200, {"created": False})
    return Outcome(201, entry_json(entry))


@router.post(
    "/spend",
    auth=INGEST,
    response={201: schemas.SpendResult | list[schemas.SpendResult], **ERRORS},
    openapi_extra=_body_schema(schemas.SpendBodyModel),
    summary="Record one spend or a batch of up to 1,000",
)
def post_spend(request: HttpRequest) -> HttpResponse:
    """As `BudgetService.record_spend` / `record_spends`: all or nothing, counted once by id."""
    return ingest(request, _spend)


@router.post(
    "/adjustments",
    auth=INGEST,
    response={201: schemas.EntryOut, **ERRORS},
    openapi_extra=_body_schema(schemas.AdjustmentIn),
    summary="Record a credit (amount < 0) or a charge (amount > 0)",
)
def post_adjustment(request: HttpRequest) -> HttpResponse:
    """As `BudgetService.record_adjustment`."""
    return ingest(request, _adjustment)


@router.post(
    "/reported-spend",
    auth=INGEST,
    response={200: schemas.NotCreated, 201: schemas.EntryOut, **ERRORS},
    openapi_extra=_body_schema(schemas.ReportIn),
    summary="A platform's total for a campaign's local day",
)
def post_reported_spend(request: HttpRequest) -> HttpResponse:
    """As `BudgetService.record_reported_spend`: 200 with created false when it agrees."""
    return ingest(request, _report)


def _found(model: type[Brand] | type[Campaign], pk: int) -> Any:
    try:
        campaign_id_of(pk)  # the id column's range: beyond it no row can have the id
        return model.objects.get(pk=pk)
    except (ValidationError, ObjectDoesNotExist):
        raise refused(f"{model._meta.verbose_name} {pk} does not exist.", status=404) from None


@router.get("/brands/{brand_id}", auth=READ, response={200: schemas.BrandOut, **ERRORS})
def get_brand(request: HttpRequest, brand_id: int) -> HttpResponse:
    """The brand summary of `BudgetService.get_brand_summary`."""
    brand = _found(Brand, brand_id)
    summary = BudgetService.get_brand_summary(brand)
    return JsonResponse({"id": brand.pk, **{k: jsonable(v) for k, v in summary.items()}})


@router.get("/campaigns/{campaign_id}", auth=READ, response={200: schemas.CampaignOut, **ERRORS})
def get_campaign(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The campaign's state and the verdict of `CampaignService.should_campaign_be_active`."""
    campaign = _found(Campaign, campaign_id)
    _, reasons = CampaignService.should_campaign_be_active(campaign)
    return JsonResponse(
        {
            "id": campaign.pk,
            "brand_id": campaign.brand_id,
            "is_enabled": campaign.is_enabled,
            "is_active": campaign.is_active,
            "reasons": reasons,
            "resumes_at": jsonable(CampaignService.resumes_at(campaign)),
        }
    )
