"""The API's one error shape: {"errors": [{"entry": ..., "field": ..., "message": ...}]}."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

# The services name a campaign "campaign"; the API's bodies call it campaign_id.
_API_FIELD = {"campaign": "campaign_id"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong: which entry of a list (None for one object), which field, and why."""

    message: str
    field: str | None = None
    entry: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"entry": self.entry, "field": self.field, "message": self.message}


class ApiError(Exception):
    """A request refused with `status` (4xx) and its problems; nothing was recorded."""

    def __init__(self, status: int, problems: Iterable[Problem]) -> None:
        self.status = status
        self.problems = list(problems)
        super().__init__("; ".join(problem.message for problem in self.problems))

    def body(self) -> dict[str, Any]:
        return errors_body(self.problems)


def errors_body(problems: Iterable[Problem]) -> dict[str, Any]:
    return {"errors": [problem.as_json() for problem in problems]}


def refused(message: str, *, status: int = 400, field: str | None = None) -> ApiError:
    return ApiError(status, [Problem(message, field=field)])


def problems_of(error: ValidationError, *, entry: int | None) -> list[Problem]:
    """A service's ValidationError as problems, each naming its field where it has one."""
    if hasattr(error, "error_dict"):
        return [
            Problem(message, field=_API_FIELD.get(name, name), entry=entry)
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return [Problem(message, entry=entry) for message in error.messages]


def batch_problems(error: ValidationError) -> list[Problem]:
    """A batch's 'entry 17: ...' error (`ads.services.entries.entry_error`) as a problem."""
    params = getattr(error, "params", None) or {}
    if "index" in params:
        return [Problem(str(params["detail"]), entry=int(params["index"]))]
    return problems_of(error, entry=None)
