"""API keys: made (the key shown once), checked in constant time, revoked.

Only the key's SHA-256 is stored. A key is found by its prefix (kept to tell keys apart in the
admin), then its hash is compared with `hmac.compare_digest`, so how long the comparison takes
tells nothing about the key. Nothing here logs a key.
"""

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from ads.models import ApiKey
from ads.services.entries import checked_text

KEY_MARK = "bsk_"
PREFIX_LENGTH = 12
# Writing last_used_at on every request would be one more UPDATE per spend: once a minute is
# enough to tell a key in use from one forgotten.
LAST_USED_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class NewKey:
    """A key just made: `key` is the secret, shown to its owner once and never stored."""

    api_key: ApiKey
    key: str


def key_hash(key: str) -> str:
    """The SHA-256 of a key, in hex: what the database keeps."""
    return hashlib.sha256(key.encode()).hexdigest()


def checked_scopes(scopes: Iterable[str]) -> list[str]:
    """The scopes, each a known one, at least one, without repeats, in a stable order."""
    given = list(scopes)
    known = set(ApiKey.Scope.values)
    unknown = [scope for scope in given if scope not in known]
    if unknown:
        message = f"Unknown scope {unknown[0]!r}: choose from {', '.join(sorted(known))}."
        raise ValidationError({"scopes": message})
    if not given:
        raise ValidationError({"scopes": "Give a key at least one scope."})
    return sorted(set(given))


def create_key(name: str, *, scopes: Iterable[str]) -> NewKey:
    """A new key named `name` with `scopes`; the returned `key` is the only copy of the secret."""
    label = checked_text(name, field="name", max_length=100).strip()
    if not label:
        raise ValidationError({"name": "Name the key (who or what uses it)."})
    if ApiKey.objects.filter(name=label).exists():
        raise ValidationError({"name": f"A key named {label!r} exists already."})
    key = KEY_MARK + secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(
        name=label,
        prefix=key[:PREFIX_LENGTH],
        key_hash=key_hash(key),
        scopes=checked_scopes(scopes),
    )
    return NewKey(api_key, key)


def verify_key(key: str) -> ApiKey | None:
    """The unrevoked key whose secret is `key`, or None; compared in constant time."""
    if not key.startswith(KEY_MARK) or len(key) > 200:
        return None
    digest = key_hash(key)
    candidates = ApiKey.objects.filter(prefix=key[:PREFIX_LENGTH], revoked_at__isnull=True)
    found = next(
        (c for c in candidates if hmac.compare_digest(c.key_hash, digest)),
        None,
    )
    if found is not None:
        _mark_used(found)
    return found


def _mark_used(api_key: ApiKey) -> None:
    """Note when the key was last used, at most once a minute."""
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_EVERY:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now


def revoke_keys(keys: Iterable[ApiKey]) -> int:
    """Revoke the keys not yet revoked; how many were. A revoked key is refused at once."""
    pks = [api_key.pk for api_key in keys]
    return ApiKey.objects.filter(pk__in=pks, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
