# WorkmateOS application image: one image for every app process (web, asgi, worker, scheduler,
# migrate); docker-compose.yml picks the command. See docs/deployment.md.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TZ=Europe/Berlin \
    VAR_DIR=/app/var \
    STATIC_ROOT=/app/static-collected

# WeasyPrint (PDF invoices, letters) needs Pango/HarfBuzz and fonts; tzdata for the time zone.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
        fonts-dejavu-core fonts-liberation tzdata \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .

# Translations and static files are built into the image (WhiteNoise serves them, with hashed
# names). The settings need a SECRET_KEY to load: a throwaway one, used for nothing else.
RUN python -c 'import polib, sys; polib.pofile(sys.argv[1]).save_as_mofile(sys.argv[2])' \
        locale/de/LC_MESSAGES/django.po locale/de/LC_MESSAGES/django.mo \
    && SECRET_KEY=build-only-not-a-secret DEBUG=false \
        python manage.py collectstatic --noinput -v0 \
    && chmod +x deploy/*.sh \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin workmate \
    && mkdir -p /app/var \
    && chown workmate /app/var

USER workmate
EXPOSE 8000 8001

# The web process answers /health/ (JSON; 503 when the database is unreachable). The asgi service
# overrides the port; worker and scheduler switch the check off (see docker-compose.yml).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "deploy/healthcheck.py"]

CMD ["gunicorn", "workmate.wsgi:application", "-b", "0.0.0.0:8000", "--workers", "3", "--forwarded-allow-ips=*", "--no-control-socket"]
