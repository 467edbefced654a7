from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AdsConfig(AppConfig):
    # The "ads" app's config: this module holds the admin's too (below).
    default = True
    default_auto_field = "django.db.models.BigAutoField"
    name = "ads"
    verbose_name = "Ads"

    def ready(self) -> None:
        # Connect the receivers that roll spend up and keep campaigns in line, and register
        # the system checks (the ledger's trigger).
        from ads import checks, signals  # noqa: F401


class BudgetAdminConfig(admin_apps.AdminConfig):
    """Django's admin with this project's site (the dashboard on its first page)."""

    default = False
    default_site = "ads.site.BudgetAdminSite"
