"""Which database this process speaks to, read once.

`connection.vendor` goes through Django's per-thread connection proxy, about 5 µs a look-up
on the machines the benchmark runs on, and a spend asked it 18 times (docs/BENCHMARKS.md, "A
spend's Python, on a slower machine"). The default database's engine is fixed for the life
of a process, so what depends on it alone (statement texts, converters) is cached without it
as a key.
"""

import functools

from django.db import DEFAULT_DB_ALIAS, connections


@functools.cache
def vendor() -> str:
    """The default database's vendor: "postgresql" or "sqlite"."""
    return connections[DEFAULT_DB_ALIAS].vendor
