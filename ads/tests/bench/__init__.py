"""The benchmark (manage.py bench) at tiny scale: it runs end to end; no timings asserted."""
