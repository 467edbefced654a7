"""The ads app: brands, campaigns, the spend ledger and the rules that keep spend in budget."""
