"""`manage.py create_api_key NAME --scope ingest --scope read`: a key for the HTTP API."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ads.models import ApiKey
from ads.services.api_keys import create_key


class Command(BaseCommand):
    help = (
        "Make a key for the HTTP API (/api/v1/) with one or more scopes. The key is printed "
        "once, alone on the last line, and only its SHA-256 is stored: copy it now."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Who or what uses the key, e.g. 'google-ads-connector'.")
        parser.add_argument(
            "--scope",
            action="append",
            required=True,
            choices=ApiKey.Scope.values,
            dest="scopes",
            help="ingest (spend, reports, adjustments) or read (summaries); repeat for both.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            made = create_key(options["name"], scopes=options["scopes"])
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        scopes = ", ".join(made.api_key.scopes)
        self.stdout.write(f"API key {made.api_key.name!r} made with scopes: {scopes}.")
        self.stdout.write("It is shown this once and stored hashed; copy it now:")
        self.stdout.write(made.key)
