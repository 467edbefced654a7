"""Tasks asked for after a commit: handed to the broker at once, never waited on.

A spend or a sync commits first, then asks a worker for the slow part (an alert's email, a
webhook POST). The work itself is already in the database (an alert not yet emailed, a delivery
pending), and a periodic sweep sends whatever no task was asked for, so a broker that is down
costs a warning and a later send, never the caller's time.

Never waited on, in three ways: `retry=False` (no publish retries), `ignore_result=True` (no
result is read, and asking for one subscribed to the result backend first, which with Redis down
retried for 20 s), and the broker transport's `max_retries` of 0 (settings), without which
every publish retried the connection for about 6 s.
"""

import logging
from collections.abc import Sequence

from celery import current_app

logger = logging.getLogger(__name__)


def queue_task(name: str, *, args: Sequence[object] = (), unqueued: str) -> None:
    """Queue the task `name` with `args`. Never raises: when the broker cannot take it,
    `unqueued` (which says who sends the work instead) is logged as a warning."""
    try:
        current_app.send_task(name, args=list(args), retry=False, ignore_result=True)
    except Exception:  # any broker failure: the work waits in the database for its sweep
        logger.warning(unqueued, exc_info=True)
