"""The admin site itself: its first page opens on the dashboard, above the list of pages.

Outside the `ads.admin` package on purpose: Django imports a site class while it builds
`admin.site`, and importing `ads.admin` then would register its pages on a site not yet made.
"""

from typing import Any

from django.contrib.admin import AdminSite
from django.http import HttpRequest
from django.template.response import TemplateResponse


class BudgetAdminSite(AdminSite):
    """Django's admin site with the dashboard on its index (`settings.INSTALLED_APPS` names it
    through `ads.apps.BudgetAdminConfig`, so `admin.site` and `@admin.register` are this site)."""

    index_template = "admin/ads/index.html"

    def index(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        """The dashboard for whoever may see the brands; the app list below it for everyone."""
        from ads.admin.dashboard import dashboard  # loaded by now: see the module docstring

        context = dict(extra_context or {})
        if request.user.has_perm("ads.view_brand"):
            context["dashboard"] = dashboard()
        return super().index(request, context)
