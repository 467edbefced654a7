"""The HTTP API (/api/v1/): thin views over the services and selectors the shell uses.

    auth     Authorization: Bearer <key>, 401 and 403 (keys: ads.services.api_keys)
    body     the body read as JSON, hostile ones refused (size, UTF-8, depth, NaN)
    fields   each field read strictly: amounts as decimal strings or integers, never floats
    reading  a body into the values a service takes, every problem named by entry and field
    errors   the one error shape, {"errors": [{"entry", "field", "message"}]}
    schemas  the OpenAPI description of bodies and responses
    views    the endpoints, and Idempotency-Key (ads.services.idempotency)

django-ninja serves it, with its Swagger UI from its own static files (no CDN). Every error,
ninja's own included (422 for a path parameter, 401 for a key), is answered in the one shape.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from ads.api.errors import ApiError, Problem, errors_body
from ads.api.views import router

api = NinjaAPI(
    title="Ad budgets API",
    version="1",
    description="Spend in, budgets and campaign states out. See docs/API.md.",
    urls_namespace="api-v1",
    docs=Swagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("", router)


def _answer(status: int, problems: list[Problem]) -> HttpResponse:
    return JsonResponse(errors_body(problems), status=status)


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, error: ApiError) -> HttpResponse:
    return _answer(error.status, error.problems)


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, error: Exception) -> HttpResponse:
    message = "Give a valid, unrevoked API key: Authorization: Bearer <key>."
    response = _answer(401, [Problem(message)])
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, error: NinjaValidationError) -> HttpResponse:
    """ninja's 422 for a path parameter (an id that is not an integer) as the API's 400."""
    problems = [_ninja_problem(item) for item in error.errors]
    return _answer(400, problems)


def _ninja_problem(item: dict[str, Any]) -> Problem:
    location = [str(part) for part in item.get("loc", ()) if part not in ("path", "query")]
    return Problem(str(item.get("msg", "Invalid.")), field=".".join(location) or None)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    return _answer(error.status_code, [Problem(str(error))])


__all__ = ["api"]
