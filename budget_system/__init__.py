"""The budget_system project: settings, URLs and the Celery app."""

from budget_system.celery import app as celery_app

__all__ = ("celery_app",)
