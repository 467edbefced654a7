from django.apps import AppConfig


class AdsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ads"
    verbose_name = "Ads"

    def ready(self) -> None:
        # Connect the receivers that roll spend up and keep campaigns in line, and register
        # the system checks (the ledger's trigger).
        from ads import checks, signals  # noqa: F401
