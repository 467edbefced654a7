"""The management commands (ads/management/commands/), run through call_command."""
