"""Cross-cutting suites: crashes, outages, clocks, load, races, bad input; every layer at once."""
