"""Streetinfo settings: one module, driven by environment variables.

Every value has a safe development default, so a fresh clone runs with no configuration at all
(SQLite in the project folder, DEBUG on, localhost only). Production sets DEBUG=0, SECRET_KEY,
ALLOWED_HOSTS, DATABASE_URL and PUBLIC_BASE_URL; a malformed value stops the process with a
message naming the variable.
"""

import base64
import datetime
import hashlib
import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from lib import languages

BASE_DIR = Path(__file__).resolve().parent.parent

DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_networks(name: str, default: list[str]) -> list[str]:
    """Comma-separated addresses or networks (`10.0.0.0/8`), or `*` for any."""
    values = env_list(name, default)
    for value in values:
        try:
            if value != "*":
                ipaddress.ip_network(value, strict=False)
        except ValueError as error:
            raise ImproperlyConfigured(
                f"{name} lists addresses or networks (or *), got {value!r}"
            ) from error
    return values


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = minimum - 1
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be a whole number ≥ {minimum}, got {value!r}")
    return number


def env_rate(name: str, default: str) -> str:
    """A request rate as Django REST framework reads it: "120/minute", "10/second", "5000/day"."""
    value = os.environ.get(name, "").strip() or default
    number, _slash, period = value.partition("/")
    if not (number.isdigit() and period in {"second", "minute", "hour", "day"}):
        raise ImproperlyConfigured(
            f"{name} must be a rate like 120/minute (per second, minute, hour or day), "
            f"got {value!r}"
        )
    return value


def env_url(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip() or default
    if not value.startswith(("http://", "https://")) or value.endswith("/"):
        raise ImproperlyConfigured(
            f"{name} must be an absolute http(s) URL without a trailing slash, got {value!r}"
        )
    return value


def env_header(name: str) -> str | None:
    """An HTTP header name ("X-Forwarded-Proto") as Django reads it from request.META
    ("HTTP_X_FORWARDED_PROTO"); None when unset."""
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    if not all(part.isalnum() for part in value.split("-")):
        raise ImproperlyConfigured(
            f"{name} must be a header name like X-Forwarded-Proto, got {value!r}"
        )
    return "HTTP_" + value.upper().replace("-", "_")


def csp_hash(path: Path) -> str:
    """The CSP source that allows one inline <style> or <script>: the sha256 of its text, read
    as the inline_static tag reads it (UTF-8 text, universal newlines)."""
    text = path.read_text(encoding="utf-8")
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, "").strip().lower() or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "") or DEV_SECRET_KEY
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set: the development key must never run with DEBUG off. "
        "Set SECRET_KEY to a long random value (python -c 'import secrets; "
        "print(secrets.token_urlsafe(50))')."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The address printed in QR codes. Plates hang for years: change it only with a redirect plan.
PUBLIC_BASE_URL = env_url("PUBLIC_BASE_URL", "http://127.0.0.1:8000")
# The licence the portal's content and open data are published under, stated in every page's
# footer, the API's schema and a `Link: rel="license"` header on every API answer (exports
# included). Creative Commons Attribution 4.0 lets OpenStreetMap, Wikidata and anyone reuse the
# data with attribution.
DATA_LICENCE = {
    "name": os.environ.get("DATA_LICENCE_NAME", "").strip() or "CC BY 4.0",
    "url": os.environ.get("DATA_LICENCE_URL", "").strip()
    or "https://creativecommons.org/licenses/by/4.0/",
}
# Who publishes the open data (the DCAT catalogue's publisher, the attribution asked of reusers)
# and where to write about it (its contact point; the About page when no address is set).
DATA_PUBLISHER = {
    "name": os.environ.get("DATA_PUBLISHER_NAME", "").strip() or "Streetinfo Lạng Sơn",
    "url": env_url("DATA_PUBLISHER_URL", PUBLIC_BASE_URL),
    "email": os.environ.get("DATA_CONTACT_EMAIL", "").strip(),
}
# How long a shared cache (a CDN, nginx) and browsers may keep an anonymous API answer.
API_CACHE_SECONDS = env_int("API_CACHE_SECONDS", 300, minimum=0)
# Letter case of the URL in a plate's QR code. "upper" (HTTPS://QR.LANGSON.GOV.VN/Q/CODE) is all
# QR-alphanumeric, the smallest symbol and so the biggest modules; "hybrid" keeps the scheme and
# host in lower case for scanner apps that only open a lower-case https:// as a link (one QR
# version larger); "lower" is the largest. Printed plates keep the case they were printed with.
QR_PAYLOAD_CASE = env_choice("QR_PAYLOAD_CASE", "upper", ("upper", "hybrid", "lower"))

INSTALLED_APPS = [
    # modeltranslation must come before django.contrib.admin to patch its forms.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Trigram lookups for typo-tolerant search (registered only on PostgreSQL connections).
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "simple_history",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Counts failed admin logins per username and address and locks them out for a while.
    "axes",
    # The background work's queue: tasks stored in the database, run by `manage.py db_worker`
    # (django-tasks-db's app, named in Vietnamese in the admin).
    "backoffice.apps.TaskQueueConfig",
    # Our apps, from the bottom floor up (the import contract in pyproject.toml keeps it so):
    # content, plates, then the visitor site, the API and the workflow, the admin composed from
    # them all, and the edge (page cache, static mode). Pure helpers live in lib/ (not an app).
    "sites.apps.SitesConfig",
    "qrplates.apps.QrplatesConfig",
    "public.apps.PublicConfig",
    "api.apps.ApiConfig",
    "workflow.apps.WorkflowConfig",
    "backoffice.apps.BackofficeConfig",
    "edge.apps.EdgeConfig",
]

MIDDLEWARE = [
    # /healthz and /readyz: answered before sessions, cookies, the language and ALLOWED_HOSTS
    # (a load balancer probes with the container's address as Host). Keep it first.
    "streetinfo.health.HealthCheckMiddleware",
    # Then CORS, so that its headers reach every API response, including errors and preflights.
    "api.middleware.ReadOnlyCorsMiddleware",
    # Cache-Control of the API's reads (public for anonymous ones, never for staff), outside
    # the session and locale middleware so that it can drop their Vary: Cookie, Accept-Language.
    "api.middleware.SharedCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Public pages and scans from the cache, before anything else runs (edge/pagecache.py);
    # the copies are the compressed responses with their ETags, so it sits outside those two.
    # A hit costs less than any view: the copy already holds the two headers below, the same
    # for every visitor of a public page.
    "edge.pagecache.PageCacheMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response (see SECURE_CSP below).
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "lib.http.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages are compressed by the app itself (gunicorn serves them directly). Django's gzip adds
    # random bytes to each response against BREACH; static files come precompressed (above).
    # Byte-range downloads (print batches' files) are sent as stored (lib/http.py).
    "lib.http.RangeAwareGZipMiddleware",
    # An ETag on every page: a visitor's phone revalidating a page it holds gets a 304, not the
    # page again.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "streetinfo.middleware.StreetinfoLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A body longer than its sender may send is refused (413) before any of it is read: after
    # the user is known (staff may send more), before anything reads the body.
    "streetinfo.limits.RequestBodyLimitMiddleware",
    # Signs each history row with the logged-in user who made the change.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a locked-out admin login into the lockout page (AXES_* below).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "streetinfo.urls"
WSGI_APPLICATION = "streetinfo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # `csp_nonce`, for the few inline scripts and styles of non-cached pages.
                "django.template.context_processors.csp",
                # `data_licence`, for the footer of every page.
                "public.context_processors.data_licence",
            ],
        },
    },
]

# Connections: persistent by default (DB_CONN_MAX_AGE seconds, one per worker thread), or
# psycopg's pool with DB_POOL=1 (a few connections per worker process, shared by its threads).
# Opening a connection per request costs more than half the throughput; see docs/operations.md
# for which to choose.
DB_POOL = env_bool("DB_POOL", False)
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # The pool keeps its connections itself: Django refuses persistent connections with it.
        conn_max_age=0 if DB_POOL else env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=not DB_POOL,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A server that does not answer must fail a request (and /readyz) in seconds, not after the
    # operating system's TCP timeout of minutes. A connect_timeout in DATABASE_URL wins.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env_int("DB_CONNECT_TIMEOUT", 5, minimum=1)
    )
    if DB_POOL:
        pool_min = env_int("DB_POOL_MIN_SIZE", 2, minimum=1)
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": pool_min,
            "max_size": env_int("DB_POOL_MAX_SIZE", max(8, pool_min), minimum=pool_min),
            # Seconds a request waits for a free connection before it fails.
            "timeout": env_int("DB_POOL_TIMEOUT", 10, minimum=1),
        }
elif DB_POOL:
    raise ImproperlyConfigured("DB_POOL=1 needs PostgreSQL: set DATABASE_URL to a postgres:// URL.")
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The task worker writes beside the web server (progress, results): readers do not block the
    # writer (WAL), a transaction takes the write lock when it starts, never half-way through
    # (IMMEDIATE, the mode SQLite needs with more than one writer), and a writer waits its turn
    # for up to 20 s instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Every account is staff (editors, reviewers, installers, print shops) and the admin has one
# factor only: 12 characters at least (Django's default is 8, which the common password lists
# and a cracking rig cover), with the similarity, common-password and all-digits checks.
# A passphrase ("cau-ky-lua-mua-xuan") is easier to remember and longer.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "streetinfo.security.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 12, minimum=8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The languages come from their registry, lib/languages.py: Vietnamese is the default, the last
# fallback for missing translations, and the admin's language. Adding a language is a line there
# plus `makemigrations` (docs/languages.md).
LANGUAGE_CODE = languages.DEFAULT
LANGUAGES = languages.django_languages()
MODELTRANSLATION_DEFAULT_LANGUAGE = languages.DEFAULT
MODELTRANSLATION_FALLBACK_LANGUAGES = languages.modeltranslation_fallbacks()
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "lang"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Not HttpOnly: the public pages' script sets it itself (static/js/site.js, with ";secure" over
# HTTPS). It only holds a language code.
LANGUAGE_COOKIE_SECURE = not DEBUG
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))


def media_storage() -> dict:
    """Uploads on local disk (MEDIA_ROOT) unless an S3-compatible bucket is configured.

    Several app servers behind a load balancer need one shared place for uploads: an S3-compatible
    object store (MinIO, Ceph, a cloud provider's) through django-storages. Photos and their
    renditions are public content, linked from cached pages: the bucket (or S3_CUSTOM_DOMAIN, a
    CDN in front of it) must be publicly readable, and URLs are not signed (a signed URL would
    expire inside a cached page).
    """
    names = ("S3_BUCKET", "S3_ENDPOINT_URL", "S3_REGION", "S3_ACCESS_KEY_ID",
             "S3_SECRET_ACCESS_KEY", "S3_CUSTOM_DOMAIN")  # fmt: skip
    values = {name: os.environ.get(name, "").strip() for name in names}
    if not any(values.values()):
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if not values["S3_BUCKET"]:
        given = ", ".join(name for name, value in values.items() if value)
        raise ImproperlyConfigured(
            f"{given} set but S3_BUCKET is not: set S3_BUCKET to store uploads in object "
            "storage, or unset the S3_* variables to keep them in MEDIA_ROOT."
        )
    keys = (values["S3_ACCESS_KEY_ID"], values["S3_SECRET_ACCESS_KEY"])
    if any(keys) and not all(keys):
        missing = "S3_SECRET_ACCESS_KEY" if keys[0] else "S3_ACCESS_KEY_ID"
        raise ImproperlyConfigured(
            f"{missing} is not set: S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together "
            "(or leave both unset to use the server's own credentials, e.g. an instance role)."
        )
    if values["S3_ENDPOINT_URL"] and not values["S3_ENDPOINT_URL"].startswith(
        ("http://", "https://")
    ):
        raise ImproperlyConfigured(
            f"S3_ENDPOINT_URL must be an http(s) URL, got {values['S3_ENDPOINT_URL']!r}"
        )
    options = {
        "bucket_name": values["S3_BUCKET"],
        "endpoint_url": values["S3_ENDPOINT_URL"] or None,
        "region_name": values["S3_REGION"] or None,
        "access_key": values["S3_ACCESS_KEY_ID"] or None,
        "secret_key": values["S3_SECRET_ACCESS_KEY"] or None,
        "custom_domain": values["S3_CUSTOM_DOMAIN"] or None,
        # Public, unsigned URLs; a name already taken gets a new name, never overwrites.
        "querystring_auth": False,
        "file_overwrite": False,
        "default_acl": None,
        # Renditions are named after their source file and never change: cache them for good.
        "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


# Where print batches' built ZIPs are kept (qrplates/batch_files.py): never under MEDIA_ROOT,
# which the front web server serves to anyone. In the bucket when S3_BUCKET is set, under
# private/batches/, unreadable without the keys (the bucket's policy must not make private/
# public); the app streams them to those who may download them.
BATCH_FILES_DIR = Path(os.environ.get("BATCH_FILES_DIR", BASE_DIR / "var" / "batches"))


def batch_file_storage() -> dict:
    media = media_storage()
    if media["BACKEND"] == "django.core.files.storage.FileSystemStorage":
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": BATCH_FILES_DIR},
        }
    options = {
        **media["OPTIONS"],
        "location": "private/batches",
        "custom_domain": None,
        "querystring_auth": True,
        "file_overwrite": True,
        "default_acl": "private",
        "object_parameters": {"CacheControl": "private, no-store"},
    }
    return {"BACKEND": media["BACKEND"], "OPTIONS": options}


STORAGES = {
    "default": media_storage(),
    "batches": batch_file_storage(),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# The admin's tabbed translation fields need jQuery UI: served from our static files, never a CDN.
JQUERY_UI_URL = "vendor/jquery-ui/jquery-ui.min.js"

# The background tiles of the admin's map for placing a point (Leaflet, from our static files).
# Their host is allowed in the admin place forms' Content-Security-Policy only; the public site
# draws its maps itself and loads nothing from another host. Without tiles (offline, blocked),
# the map still shows our communes' outlines.
ADMIN_MAP_TILES = env_url("ADMIN_MAP_TILES", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
ADMIN_MAP_ATTRIBUTION = (
    os.environ.get("ADMIN_MAP_ATTRIBUTION", "").strip()
    or "© OpenStreetMap contributors (openstreetmap.org/copyright)"
)

# Reverse proxies in front of the app (nginx alone: 1). With 0, the client's address is the
# connection's; with N, the N-th address from the right of X-Forwarded-For (what the nearest of
# our proxies saw), never a value the client chose. Used by the API's throttles, the admin login
# throttle and the public forms' rate limit. API_NUM_PROXIES is its former name.
NUM_PROXIES = env_int("NUM_PROXIES", env_int("API_NUM_PROXIES", 0))
# Which peers are those proxies (addresses or networks, or `*` for any): X-Forwarded-For is read
# only on a connection from one of them, so a client that reaches the app directly (a published
# port, a misrouted firewall) cannot choose its own address. gunicorn reads the same variable to
# decide whose X-Forwarded-Proto it believes (gunicorn.conf.py); its default is gunicorn's.
FORWARDED_ALLOW_IPS = env_networks("FORWARDED_ALLOW_IPS", ["127.0.0.1", "::1"])

# The open-data API (/api/v1/, the api app): anyone reads what is published, staff systems write
# with a token. Anonymous clients are throttled per address (see NUM_PROXIES).
# Throttle counters live in the default cache (per process unless a shared cache is configured).
API_THROTTLE_ANON = env_rate("API_THROTTLE_ANON", "120/minute")
# Whole-list CSV and GeoJSON exports, a second or two of work each: counted apart, and fewer.
API_THROTTLE_EXPORT = env_rate("API_THROTTLE_EXPORT", "10/minute")
API_THROTTLE_STAFF = env_rate("API_THROTTLE_STAFF", "1200/minute")
API_PAGE_SIZE = 50
API_MAX_PAGE_SIZE = 200
# The largest "near" radius: a wider circle is better asked as a bounding box.
API_MAX_RADIUS_M = env_int("API_MAX_RADIUS_M", 50_000, minimum=1)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an unauthenticated write then gets 401 with "WWW-Authenticate: Token".
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Permissions, throttles and the schema class are set on the API's views (api/generics.py):
    # classes named here are imported while DRF itself loads, before the api app can be.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "NUM_PROXIES": NUM_PROXIES,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Streetinfo Lạng Sơn — open data API",
    # The long description (formats, languages, errors, limits) is Markdown beside the API code.
    "DESCRIPTION": (BASE_DIR / "api" / "api.md").read_text(encoding="utf-8"),
    "VERSION": "1",
    "LICENSE": DATA_LICENCE,
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Request and response bodies differ (ids in, objects out): one component each.
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI's files come from drf-spectacular-sidecar through our static files, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "sites.models.Status",
        "KindEnum": "sites.models.Place.Kind",
        "RankingEnum": "sites.models.HeritageFields.Ranking",
    },
}

# Any web page may read the API (maps, tourism apps); no other site may write through a visitor's
# browser: only read methods are allowed cross-origin and credentials are never shared.
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["accept", "accept-language"]
CORS_EXPOSE_HEADERS = ["Content-Language", "Content-Disposition", "Retry-After"]
CORS_PREFLIGHT_MAX_AGE = 86400

# Caches: Redis when REDIS_URL is set (shared by every process and app server: throttles, rate
# limits and the page cache agree), else each process's memory (development, one small server).
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
# Seconds a request waits for Redis to accept a connection or to answer: a Redis that hangs
# (rather than refusing) must not hold every request for the system's TCP timeout of minutes.
# On a LAN it answers in well under a millisecond. What waits for it degrades instead: the page
# cache renders, the limits count in memory (streetinfo/ratelimits.py).
REDIS_TIMEOUT_SECONDS = 0.5


def cache_config(name: str, max_entries: int, redis_url: str = REDIS_URL) -> dict:
    if redis_url:
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": name,
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
                "socket_timeout": REDIS_TIMEOUT_SECONDS,
            },
        }
    return {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": name,
        "OPTIONS": {"MAX_ENTRIES": max_entries},
    }


CACHES = {"default": cache_config("default", 10_000), "pages": cache_config("pages", 5_000)}

# The page cache (edge/pagecache.py): public pages and scans answered before the view layer,
# made stale by any change to published content, and served stale while the database is down.
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE", True)
PAGE_CACHE_ALIAS = "pages"
# How long a copy is served without asking the database. With Redis every process sees a publish
# at once (a day bounds anything else); in-process caches of other workers do not see it, hence a
# minute.
PAGE_CACHE_FRESH_SECONDS = env_int("PAGE_CACHE_FRESH_SECONDS", 86400 if REDIS_URL else 60)
# A scan that is not answered from the page cache (or with PAGE_CACHE off) reuses the record
# page rendered for an earlier scan of any plate leading to that record, kept under the same
# mark as that page's copies (edge.pagecache.RecordPages): its plate is still read and counted.
PAGE_CACHE_RECORD_PAGES = env_bool("PAGE_CACHE_RECORD_PAGES", True)
# How long a copy is kept for serving through an outage.
PAGE_CACHE_KEEP_SECONDS = env_int("PAGE_CACHE_KEEP_SECONDS", 30 * 86400, minimum=1)
# Background work (Django's task framework, django.tasks): print batches built into storage,
# spreadsheet previews and imports, static mode's files and photo renditions refreshed after a
# commit. Tasks wait in the database (django-tasks-db, SQLite or PostgreSQL alike) until a worker,
# `python manage.py db_worker`, runs them: `./dev.sh start` starts one beside the development
# server, docker-compose.yml has two (one for print batches, one for the rest). TASKS_IMMEDIATE=1
# runs each task inside the request that enqueues it, for a machine that runs no worker.
# Queues: "default" (seconds of work) and "print" (a batch's artwork: minutes), so that a
# province-wide print run never holds back an editor's import.
TASK_QUEUES = ["default", "print"]
TASKS = {
    "default": (
        {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": TASK_QUEUES}
        if env_bool("TASKS_IMMEDIATE", False)
        else {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}
    )
}
# Processes that draw a print batch's artwork (the worker's own process included); 0: one per core.
BATCH_BUILD_PROCESSES = env_int("BATCH_BUILD_PROCESSES", 0)
# Static mode (manage.py render_static): when set, the folder whose files are refreshed on publish.
STATIC_MODE_DIR = os.environ.get("STATIC_MODE_DIR", "").strip()
# Scan counts are written in batches, at most this often per process (qrplates/scans.py).
SCAN_COUNT_FLUSH_SECONDS = env_int("SCAN_COUNT_FLUSH_SECONDS", 10)
# A client (address and browser) counts once per plate in each window; one address adds at most
# SCAN_COUNT_PER_ADDRESS to a plate in a window (phones behind a carrier's shared address).
SCAN_COUNT_WINDOW_SECONDS = env_int("SCAN_COUNT_WINDOW_SECONDS", 3600, minimum=1)
SCAN_COUNT_PER_ADDRESS = env_int("SCAN_COUNT_PER_ADDRESS", 20, minimum=1)

LOGIN_URL = "admin:login"

# --- HTTPS, cookies and security headers --------------------------------------------------------
# Production (DEBUG=0) is HTTPS only; development serves plain http://127.0.0.1:8000.
# Behind a reverse proxy that ends TLS, set SECURE_PROXY_SSL_HEADER to the header it sets
# ("X-Forwarded-Proto", value "https"), and make sure the proxy overwrites it on every request.
_proxy_ssl_header = env_header("SECURE_PROXY_SSL_HEADER")
SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header, "https") if _proxy_ssl_header else None
# The scheme printed on the plates is the site's: with an https PUBLIC_BASE_URL, production
# redirects plain http; a process serving the default http://127.0.0.1:8000 with DEBUG=0 (the
# benchmarks, the container check) does not redirect to an https that nobody answers.
SECURE_SSL_REDIRECT = env_bool(
    "SECURE_SSL_REDIRECT", not DEBUG and PUBLIC_BASE_URL.startswith("https://")
)
# The load balancer's and the container's health checks speak plain HTTP to the app itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$"]
# A year of HSTS by default in production. includeSubDomains and preload are left to the
# Department (env, off by default): they bind every name under the host that sends them, which
# for an address like langson.gov.vn would force HTTPS on other services of the province, and a
# preload entry takes months to undo. On a dedicated host (qr.langson.gov.vn) both are safe.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [
    # `check --deploy` warns about each of the two being off: a deliberate choice (above).
    *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# No Referer at all to other sites, the full address within ours (Django's CSRF check of HTTPS
# form posts needs it). Stricter than the browsers' strict-origin-when-cross-origin: our
# addresses can hold secrets (a print shop's signed download link, an installer's plate code,
# admin record ids), and a visitor following a source link tells that site nothing.
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (Django's own middleware): no inline script or style runs unless the
# policy names it, 'unsafe-inline' nowhere.
# - Public pages (/vi/…, /en/…, /Q/<code>) are cached and shared by every visitor (page cache,
#   CDN), so their policy never holds a per-request nonce: the critical CSS inlined in every page
#   (templates/base.html) is allowed by its sha256, computed here from the file; they have no
#   inline script, style attribute or event handler (tests/test_security_headers.py).
# - Pages made for one person (the admin's own templates, the installer's page) mark their few
#   inline blocks with the request's nonce (`csp_nonce`); the nonce appears in the header only
#   when the page used it, so the public pages' header stays the same for everyone.
# - The service worker and the offline area packs fetch from our own origin (connect-src,
#   worker-src). Media served from another origin (object storage, a CDN) is named in
#   CSP_MEDIA_SOURCES, e.g. "https://media.langson.gov.vn".
INLINE_CSS_HASH = csp_hash(BASE_DIR / "static" / "css" / "site.css")
CSP_MEDIA_SOURCES = env_list("CSP_MEDIA_SOURCES", [])
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, INLINE_CSS_HASH, CSP.NONCE],
    "img-src": [CSP.SELF, *CSP_MEDIA_SOURCES],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF, *CSP_MEDIA_SOURCES],
    "worker-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    # Over HTTPS, a stray http:// address in content loads over https:// instead of failing.
    "upgrade-insecure-requests": not DEBUG,
}

# Permissions-Policy on every response (streetinfo/security.py): the browser features a page may
# use. Everything here is off; the installer's confirmation page turns geolocation on for itself
# (@permissions_policy(geolocation="self")). Not listed, so left to the browser's defaults:
# fullscreen, web-share (the share button) and clipboard-write (copy the link), same-origin only.
# A file input with capture="environment" (the installer's photo) opens the camera app, which
# the camera feature does not govern.
PERMISSIONS_POLICY = dict.fromkeys(
    (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    ),
    (),
)

# --- Admin login throttling (django-axes) -------------------------------------------------------
# LOGIN_FAILURE_LIMIT wrong passwords for one username from one address lock that pair out for
# LOGIN_COOLOFF_MINUTES; a correct password is refused meanwhile. Per username *and* address: a
# stranger guessing cannot lock an editor out of the office, and a guesser gains nothing by
# switching names. Failures are kept in the database (shared by every app server). Unlock early
# with `manage.py axes_reset_username NAME`.
AUTHENTICATION_BACKENDS = [
    "streetinfo.security.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "lib.http.client_ip"
AXES_LOCKOUT_CALLABLE = "streetinfo.security.lockout_response"
# Successful logins are not recorded (nothing about staff's addresses is kept without need), and
# axes' own admin pages (English only) stay out of the Vietnamese admin.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
# Lockouts are logged as warnings either way; verbose adds a banner to every manage.py command.
AXES_VERBOSE = False

# The Department's workflow (sites/roles.py, qrplates/install.py, public/feedback.py).
# A plate confirmed farther than this from its record's coordinates is flagged for review.
INSTALL_MAX_DISTANCE_M = env_int("INSTALL_MAX_DISTANCE_M", 200, minimum=1)
# Problem reports and suggestions one visitor may send per hour (counted in the cache under a
# salted hash of their address that expires with the hour; the address itself is never kept).
PUBLIC_FORM_RATE_LIMIT = env_int("PUBLIC_FORM_RATE_LIMIT", 5, minimum=1)
# Days a public problem report has before it shows as overdue (sites.services.route_problem_report).
PROBLEM_REPORT_DUE_DAYS = env_int("PROBLEM_REPORT_DUE_DAYS", 14, minimum=1)

# E-mail: a problem report is sent to whoever handles it. In development (DEBUG on) mail is
# printed on the console; in production it goes through the SMTP server given here.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "streetinfo@localhost")
# Request bodies, in MB (streetinfo/limits.py): a longer one is refused with 413 by its
# Content-Length before any of it is read. A visitor sends one photo (at most 10 MB, see
# lib.uploads) with a form: a photo somewhat over that still reaches the form, which says
# what is wrong in its own words. Staff send several photos at once in the admin, or a
# spreadsheet. The web server in front caps bodies with the same numbers (docs/operations.md).
MAX_REQUEST_BODY_MB = env_int("MAX_REQUEST_BODY_MB", 20, minimum=1)
MAX_STAFF_REQUEST_BODY_MB = env_int("MAX_STAFF_REQUEST_BODY_MB", 100, minimum=MAX_REQUEST_BODY_MB)
# Recorded narration (lib.audio): the largest and longest recording an editor may attach to a
# record in one language (ten minutes at 96 kbit/s is some 7 MB), and how much narration an
# area's "save this area for offline" pack may hold in all (a phone's storage is not ours).
NARRATION_MAX_MB = env_int("NARRATION_MAX_MB", 8, minimum=1)
NARRATION_MAX_SECONDS = env_int("NARRATION_MAX_SECONDS", 600, minimum=1)
OFFLINE_NARRATION_MB = env_int("OFFLINE_NARRATION_MB", 20)
# A spreadsheet waits here between its preview and the editor's confirmation (never served).
IMPORT_PENDING_DIR = Path(os.environ.get("IMPORT_PENDING_DIR", BASE_DIR / "var" / "imports"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
# Without collectstatic (development, tests), WhiteNoise serves straight from the finders.
WHITENOISE_USE_FINDERS = DEBUG
