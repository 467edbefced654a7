"""The services (ads.services): spend, roll-up, rollover, campaigns, dayparting."""
