# The ITA Tracker image: the web app (gunicorn, the default command), the worker and the daily
# reminders all run from it (compose.yaml). Build: docker compose build
FROM python:3.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/venv/bin:$PATH \
    MEDIA_ROOT=/data/media

WORKDIR /app

# Pango, HarfBuzz, fontconfig and libthai's dictionary for the PDFs: the same list `make run` installs.
COPY scripts/system-deps scripts/system-deps
RUN scripts/system-deps && rm -rf /var/lib/apt/lists/*

# Exact versions from the lock, checked against its hashes, in a layer of their own so that a code
# change does not reinstall them. (The lock holds the test tools too: one lock, one set of versions.)
COPY requirements.lock ./
RUN python -m venv /venv && pip install --require-hashes -r requirements.lock

COPY pyproject.toml manage.py ./
COPY ita_tracker ita_tracker
COPY assessments assessments
COPY accounts accounts
COPY measures measures
COPY people people
COPY oit oit
COPY notifications notifications
COPY reports reports
COPY dashboards dashboards
COPY templates templates
COPY static static
COPY locale locale
COPY fixtures fixtures
COPY scripts/daily scripts/healthcheck scripts/
# Editable, as `make venv` does, and without dependencies, so nothing unlocked comes in: the settings
# find templates, static files, translations and fixtures beside the code, in /app.
RUN pip install --no-deps -e .

# Static files are part of the image; WhiteNoise serves them. The settings refuse to load without a
# secret and a database, which collectstatic uses neither of.
RUN SECRET_KEY=collectstatic-only DATABASE_URL=sqlite://:memory: python manage.py collectstatic --noinput

RUN useradd --system --uid 10001 --no-create-home --home-dir /app ita \
    && mkdir -p /data/media /backups && chown ita /data/media /backups
USER ita

EXPOSE 8000
# Threads, because a page waits on the database most of its time; WEB_CONCURRENCY (read by gunicorn)
# sets the number of worker processes, 2 unless set.
ENV WEB_CONCURRENCY=2
CMD ["gunicorn", "ita_tracker.wsgi", "--bind", "0.0.0.0:8000", "--worker-class", "gthread", "--threads", "4", \
     "--timeout", "120", "--access-logfile", "-"]
