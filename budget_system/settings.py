"""Settings, read from the environment with safe defaults.

A newcomer needs nothing: the default database is a SQLite file in the project and a `.env`
file (see `.env.example`) is read when present. Production sets DEBUG off and must then give
SECRET_KEY; every security setting below turns on by itself when DEBUG is off.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv
from kombu import Queue

from budget_system.email_url import parse_email_url

BASE_DIR = Path(__file__).resolve().parent.parent

# Real environment variables win over the file.
load_dotenv(BASE_DIR / ".env", override=False)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


DEBUG = env_bool("DEBUG", False)

# The development fallback, and keys published in this repository (test.sh's): never secrets.
DEVELOPMENT_SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 - DEBUG only
PUBLISHED_SECRET_KEYS = frozenset(
    {DEVELOPMENT_SECRET_KEY, "test-only-secret-key-not-for-production-000000000000000000"}
)
NEW_KEY_COMMAND = 'python3 -c "import secrets; print(secrets.token_urlsafe(50))"'
# Run in the project folder: .env from the sample when missing, then a new key after the empty
# one (the last assignment wins, for Django, Docker Compose and start.sh alike).
ENV_FILE_KEY_COMMAND = (
    "[ -f .env ] || cp .env.example .env; "
    "python3 -c \"import secrets; print('SECRET_KEY=' + secrets.token_urlsafe(50))\" >> .env"
)


def secret_key_weakness(key: str) -> str | None:
    """Why `key` must not sign anything in production, or None when it may.

    The rule of Django's `check --deploy` (security.W009), so that a key it would flag cannot
    start the app with DEBUG off, plus the keys anyone can read in this repository.
    """
    if key in PUBLISHED_SECRET_KEYS:
        return "it is a key published in this project's repository"
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"it has fewer than {SECRET_KEY_MIN_LENGTH} characters"
    if len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        return f"it has fewer than {SECRET_KEY_MIN_UNIQUE_CHARACTERS} different characters"
    if key.startswith(SECRET_KEY_INSECURE_PREFIX):
        return f"it starts with {SECRET_KEY_INSECURE_PREFIX!r}, Django's mark of a sample key"
    return None


def production_secret_key(key: str) -> str:
    """`key` when it is strong enough for DEBUG off; otherwise ImproperlyConfigured, with the
    command that fixes it: the app must not start with a key anyone could guess or read."""
    if not key:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. ./start.sh (Windows: .\\start.ps1) "
            "writes a random one into .env; or, in the project folder, run:\n"
            f"    {ENV_FILE_KEY_COMMAND}\n(or set DEBUG=1, for local development only)."
        )
    weakness = secret_key_weakness(key)
    if weakness is not None:
        raise ImproperlyConfigured(
            f"SECRET_KEY is too weak for DEBUG off: {weakness}. Replace it, in .env or the "
            "environment, with 50 or more random characters, such as the output of:\n"
            f"    {NEW_KEY_COMMAND}"
        )
    return key


SECRET_KEY = os.environ.get("SECRET_KEY", "")
SECRET_KEY = (SECRET_KEY or DEVELOPMENT_SECRET_KEY) if DEBUG else production_secret_key(SECRET_KEY)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "ads.apps.BudgetAdminConfig",  # django.contrib.admin with the dashboard as its index
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "simple_history",
    # django-ninja: listed so its Swagger UI is served from its own static files, not a CDN.
    "ninja",
    "ads",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Names the signed-in user on the budget history rows an admin edit writes.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "budget_system.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "budget_system.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
        # Behind a transaction-pooling PgBouncer a session's state does not follow it from one
        # transaction to the next: no server-side cursors, no prepared statements
        # (ads.sql.prepared).
        disable_server_side_cursors=env_bool("DATABASE_TRANSACTION_POOLING", False),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Local mode runs the web server, worker, beat and shell on one SQLite file, which lets one
    # writer in at a time. A transaction that read before it wrote cannot wait its turn (SQLite
    # fails it at once with "database is locked"), so every transaction takes the write lock as
    # it begins, where SQLite does wait: up to `timeout` seconds.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_TIMEOUT", 20),
        **DATABASES["default"].get("OPTIONS", {}),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# The default time zone of new brands; storage is always UTC.
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["budget_system.formats"]  # dates and times shown with their zone

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Tests and runserver serve from the apps' static folders before collectstatic has run.
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security: on by default whenever DEBUG is off; each can be turned off behind a TLS proxy
# that already does the job, or for a plain-HTTP local run.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if env_bool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Celery: Redis broker; beat schedule lives in the database (django-celery-beat).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Reliable delivery: a task is acknowledged when it has finished, so a worker that dies mid-run
# leaves it on the queue for another (every task is idempotent); one message per worker process
# at a time, so a slow task does not hold others hostage.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Soft limit raises SoftTimeLimitExceeded inside the task (its transaction rolls back); the hard
# limit kills the process. The periodic tasks take seconds even with many thousand campaigns.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
# Redis redelivers an unacknowledged message after this many seconds: keep it above the hard
# time limit plus the longest retry countdown, or a running task would be delivered twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
    # A publish to a broker that is down fails at once instead of retrying the connection for
    # about 6 s: what a spend queues after its commit waits for its sweep, never the spend
    # (ads.services.broker). The worker and beat reconnect with their own retries.
    "max_retries": 0,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_EXPIRES = env_int("CELERY_RESULT_EXPIRES", 24 * 3600)
CELERY_RESULT_EXTENDED = True
# Events for Flower (port 5555; basic auth from FLOWER_BASIC_AUTH="user:password", which Flower
# reads from the environment itself; flowerconfig.py stops it from starting without one).
CELERY_WORKER_SEND_TASK_EVENTS = True
CELERY_TASK_SEND_SENT_EVENT = True
CELERY_TASK_TRACK_STARTED = True
# Webhook delivery runs on its own queue, which every worker consumes with the default one (no
# -Q needed: a worker listens to all of CELERY_TASK_QUEUES, taking them in turn), so a flood of
# deliveries does not queue ahead of the periodic budget work. A dedicated worker can take it
# alone: `-Q webhooks`.
CELERY_TASK_QUEUES = (Queue("celery"), Queue("webhooks"))
CELERY_TASK_ROUTES = {"ads.tasks.deliver_webhooks": {"queue": "webhooks"}}
# Seconds a webhook POST may take to connect, and then between bytes of the answer: a receiver
# that hangs costs a worker thread this long, never a spend.
WEBHOOK_CONNECT_TIMEOUT = env_int("WEBHOOK_CONNECT_TIMEOUT", 3)
WEBHOOK_READ_TIMEOUT = env_int("WEBHOOK_READ_TIMEOUT", 5)
# Days an event is kept once every delivery of it is settled (delivered or failed), with its
# deliveries and their attempts: the hourly `prune_events` removes older ones. 0 keeps them all.
EVENT_RETENTION_DAYS = env_int("EVENT_RETENTION_DAYS", 30)
if EVENT_RETENTION_DAYS < 0:
    raise ImproperlyConfigured(
        f"EVENT_RETENTION_DAYS is {EVENT_RETENTION_DAYS}: give a number of days, or 0 to keep "
        "every event."
    )

# Budget alerts (ads.services.alerts): the levels, in percent of a budget, a brand without its
# own raises an alert at; and how long without a ledger entry a brand's data is stale.
BUDGET_ALERT_THRESHOLDS = [int(level) for level in env_list("BUDGET_ALERT_THRESHOLDS", "50,80,100")]
BUDGET_STALE_AFTER = env_int("BUDGET_STALE_AFTER", 21600)
# Outgoing mail (alert emails, sent by a Celery task after commit): EMAIL_URL, e.g.
# smtp://user:password@mail.example.com:587?tls=1 (budget_system/email_url.py); console:// by
# default, which writes them to the worker's log.
_EMAIL = parse_email_url(os.environ.get("EMAIL_URL") or "console://")
EMAIL_BACKEND = _EMAIL.backend
EMAIL_HOST, EMAIL_PORT = _EMAIL.host, _EMAIL.port
EMAIL_HOST_USER, EMAIL_HOST_PASSWORD = _EMAIL.host_user, _EMAIL.host_password
EMAIL_USE_TLS, EMAIL_USE_SSL = _EMAIL.use_tls, _EMAIL.use_ssl
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "budget-alerts@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
