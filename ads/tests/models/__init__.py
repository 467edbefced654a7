"""The models (ads.models): properties, validation, system fields, the append-only ledger."""
