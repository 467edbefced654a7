"""The entry point of a spawned measuring process: a fresh interpreter, set up from scratch.

It imports nothing of Django at module level: a spawned process imports this module before
Django is set up.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.task_cases import Case


def measure_in_fresh_process(
    name: str, repeats: int, database: str, flips: bool = True
) -> "list[Case]":
    """Set Django up on the benchmark's database with DEBUG off, then measure task `name`."""
    import django
    from django.conf import settings

    django.setup()
    # Before any connection opens: this process works in the benchmark's database only.
    settings.DATABASES["default"]["NAME"] = database

    from django.test.utils import override_settings

    from bench.task_cases import measure

    with override_settings(DEBUG=False):
        return measure(name, repeats, flips=flips)
