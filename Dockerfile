# The one image behind every service of docker-compose.yml: web (gunicorn), the Celery worker,
# beat and Flower. Build: docker build -t budget-system .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies in their own layer, rebuilt only when requirements.txt changes.
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

# The code belongs to root and is read-only for the unprivileged user that runs it; only the
# collected static files (collectstatic at start) are written.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin app \
    && mkdir /app/staticfiles \
    && chown app:app /app/staticfiles
COPY . .
# By number, so that Kubernetes' runAsNonRoot can check it.
USER 10001:10001

EXPOSE 8000

# Healthy when Django answers its login page. The header keeps the check valid when
# SECURE_SSL_REDIRECT is on behind a TLS proxy (with USE_X_FORWARDED_PROTO=1).
# Services that are not the web server override it in docker-compose.yml.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request as r; r.urlopen(r.Request('http://localhost:8000/admin/login/', headers={'X-Forwarded-Proto': 'https'}), timeout=4)"]

# Static files are served by whitenoise (in MIDDLEWARE), so DEBUG stays off.
CMD ["gunicorn", "budget_system.wsgi", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-"]
