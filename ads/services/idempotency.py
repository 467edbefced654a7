"""Idempotency-Key: the first response to a request is kept and replayed for 24 hours.

The key is per API key. The row is inserted before the request runs, in the request's own
transaction, so of two concurrent requests with one key the unique constraint lets one run;
the other waits on the insert until the first commits, then replays its response.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from ads.models import ApiKey, IdempotentResponse

KEEP_FOR = timedelta(hours=24)


@dataclass(frozen=True)
class Outcome:
    """A response as the API sends it: a status and a JSON body."""

    status: int
    body: Any
    # True when this is the stored first response, replayed; False when the request ran now;
    # None when the key was used with another request (not run, nothing stored).
    replayed: bool | None = False


def request_digest(method: str, path: str, body: bytes) -> str:
    """What makes two requests the same: the method, the path and the body, byte for byte."""
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def once(api_key: ApiKey, key: str, *, digest: str, run: Callable[[], Outcome]) -> Outcome:
    """The stored response for (api_key, key) if there is one; otherwise `run` it and store it.

    The same key with another request is refused with `replayed=None` (the API's 422).
    """
    with transaction.atomic():
        IdempotentResponse.objects.filter(
            api_key=api_key, key=key, created_at__lt=timezone.now() - KEEP_FOR
        ).delete()
        try:
            with transaction.atomic():
                stored = IdempotentResponse.objects.create(
                    api_key=api_key, key=key, request_hash=digest, status_code=0, body={}
                )
        except IntegrityError:
            first = IdempotentResponse.objects.get(api_key=api_key, key=key)
            if first.request_hash != digest:
                return Outcome(422, None, replayed=None)
            return Outcome(first.status_code, first.body, replayed=True)
        outcome = run()
        stored.status_code = outcome.status
        stored.body = outcome.body
        stored.save(update_fields=["status_code", "body"])
    return outcome
