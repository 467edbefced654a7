"""Webhook rules without a database: the signature and the retry schedule.

The signature is the contract's: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with
the endpoint's secret, so a receiver can check both who sent a body and when (a replayed old
body carries an old `t`). Retries wait 10 s, doubling, capped at an hour, and stop once the
waits add up to a day: a receiver down for a night still gets every event.
"""

import hashlib
import hmac
from datetime import timedelta

FIRST_DELAY = timedelta(seconds=10)
MAX_DELAY = timedelta(hours=1)
# Retried for at least this long (the waits between attempts add up to it), then failed.
RETRY_FOR = timedelta(hours=24)


def signature_header(*, secret: str, timestamp: int, body: bytes) -> str:
    """The `Budget-Signature` value of `body` sent at `timestamp` (unix seconds)."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def retry_delay(failed_attempts: int) -> timedelta | None:
    """How long to wait after the `failed_attempts`-th failure in a row; None: give up.

    Counted, not clocked: a worker that was down for a while does not cut the retries short,
    and an operator's "deliver again" starts a fresh series.
    """
    waited = sum((_delay(n) for n in range(1, failed_attempts)), timedelta())
    if waited >= RETRY_FOR:
        return None
    return _delay(failed_attempts)


def _delay(attempt: int) -> timedelta:
    # Doublings bounded first: 2**attempt would grow past any timedelta.
    doublings = min(attempt - 1, 20)
    return min(FIRST_DELAY * (1 << doublings), MAX_DELAY)
