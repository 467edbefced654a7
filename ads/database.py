"""Which database this process speaks to, read once.

`vendor()` goes through Django's per-thread connection proxy, about 5 µs a look-up on
the machines the benchmark runs on, and a spend asked it a dozen times (docs/BENCHMARKS.md,
"A spend's Python"). The default database's engine is fixed for the life of a process.
"""

import functools

from django.db import DEFAULT_DB_ALIAS, connections


@functools.cache
def vendor() -> str:
    """The default database's vendor: "postgresql" or "sqlite"."""
    return connections[DEFAULT_DB_ALIAS].vendor
