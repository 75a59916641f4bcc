# A first working image; production hardening (multi-stage, non-root, healthcheck) comes later.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app

COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .

COPY . .
RUN DEBUG=0 SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput

ENV DEBUG=0
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn streetinfo.wsgi --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-3}"]
