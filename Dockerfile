# Streetinfo production image.
#
#   docker build -t streetinfo .
#   docker run --rm --env-file .env streetinfo python manage.py migrate --noinput   # each release
#   docker run -d --env-file .env -p 127.0.0.1:8000:8000 -v streetinfo-media:/app/media \
#       -v streetinfo-var:/app/var streetinfo
#   (behind a web server on the same host; docker-compose.yml puts nginx in front)
#   docker run -d --env-file .env -v streetinfo-media:/app/media -v streetinfo-var:/app/var \
#       streetinfo python manage.py db_worker --queue-name '*' --no-reload   # the task worker
#
# The image never migrates by itself: run `python manage.py migrate` once per release, before the
# new app servers start (docker-compose.yml has a one-shot `migrate` service for it). .ci/run
# repeats the commands below in a plain venv (.ci/container-commands) and lints this file.

# --- builder: the dependencies, installed into a virtual environment --------------------------
FROM python:3.13-slim AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
# Only what pip needs: the dependency layer stays cached until pyproject.toml changes. Installing
# the project installs its dependencies (it runs from its checkout, see [tool.setuptools]).
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .

# --- final: the venv and the code, run as an unprivileged user ----------------------------------
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DEBUG=0

RUN groupadd --system --gid 10001 streetinfo \
    && useradd --system --uid 10001 --gid streetinfo --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin streetinfo

COPY --from=builder /opt/venv /opt/venv

WORKDIR /app
# Code and collected static files stay owned by root: the app user can read them, not change them.
COPY . .
# Hashed names with .gz and .br copies beside them (WhiteNoise's CompressedManifestStaticFilesStorage,
# chosen by DEBUG=0). The key is a placeholder: collectstatic signs nothing.
RUN SECRET_KEY=collectstatic-only-not-a-secret python manage.py collectstatic --noinput -v0 \
    && mkdir -p /app/media /app/var \
    && chown streetinfo:streetinfo /app/media /app/var

USER 10001:10001
# Uploads (unless S3_BUCKET is set); var/: the import page's waiting files and print batches'
# built ZIPs, shared by the app servers and the task workers.
VOLUME ["/app/media", "/app/var"]
EXPOSE 8000

# slim has no curl: Python asks the process itself. /healthz touches neither the database nor
# ALLOWED_HOSTS, so a database outage does not get every container restarted.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]

CMD ["gunicorn", "--config", "gunicorn.conf.py", "streetinfo.wsgi"]
