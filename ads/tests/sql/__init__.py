"""The SQL home (ads.sql): money sums exact as Decimal on SQLite and PostgreSQL."""
