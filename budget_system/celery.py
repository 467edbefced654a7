"""The Celery application: configured from Django settings (the CELERY_ namespace), tasks found
in each installed app's `tasks` module (ads.tasks).

Run it with `celery -A budget_system worker|beat|flower` (see the README, "Background work").
"""

import os
from pathlib import Path

from celery import Celery
from dotenv import load_dotenv

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "budget_system.settings")
# Flower takes its options (FLOWER_BASIC_AUTH above all) from the environment before anything
# loads Django's settings, which is where the project's .env is otherwise read: read it here too,
# or a login kept in .env would silently leave Flower open. Real environment variables still win.
load_dotenv(Path(__file__).resolve().parent.parent / ".env", override=False)

app = Celery("budget_system")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
