"""The benchmark behind `manage.py bench`: ingestion and the periodic tasks against pgbench.

It runs in a database it creates and drops (`bench.database`), never in the user's data. See
docs/BENCHMARKS.md for what is measured, how, and the figures on the reference machine.
"""
