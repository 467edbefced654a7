"""Pure rules (ads.rules): window and budget verdicts from values, no database."""
