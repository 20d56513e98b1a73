"""CareTrack settings: one module, read from the environment.

Development defaults are safe: DEBUG is off unless DJANGO_DEBUG=1, and the SQLite file is the embedded
default so that a newcomer needs nothing else. Production sets SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL.
"""

import importlib.util
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(int(default))).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")
# This key is published with the code: it may sign sessions on a developer's machine (DEBUG=1) only. With
# DEBUG off and no SECRET_KEY of its own, the site refuses to start (caretrack.middleware.RequireSecretKey).
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789"
SECRET_KEY = os.environ.get("SECRET_KEY", "") or (DEVELOPMENT_SECRET_KEY if DEBUG else "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
CSRF_FAILURE_VIEW = "caretrack.errors.csrf_failure"  # "页面已过期", in the layout, instead of Django's English page

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "simple_history",
    "axes",
    "csp",
    # The project's apps, in their layer order (README, "Architecture"): AppConfig.ready() runs in this
    # order, so each app's registrations come after those of the layers below it.
    "caretrack",
    "guardians",
    "children",
    "mentoring",
    "activities",
    "reports",
]

MIDDLEWARE = [
    "caretrack.middleware.RequireSecretKey",  # a start-up check only: it removes itself
    "django.middleware.security.SecurityMiddleware",
    "caretrack.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "caretrack.middleware.SlidingSessionMiddleware",  # inside SessionMiddleware, which saves what it renews
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "caretrack.middleware.FirstPasswordMiddleware",  # after authentication: a first password is changed first
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "caretrack.urls"
WSGI_APPLICATION = "caretrack.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "caretrack.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite by default (WAL, busy timeout, IMMEDIATE transactions: measured to remove
# "database is locked" under concurrent teachers), PostgreSQL when DATABASE_URL says so.
SQLITE_PATH = os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3"))
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{SQLITE_PATH}"),
        conn_max_age=600,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "caretrack.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "caretrack.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "caretrack.password_validation.CommonPasswordValidator"},
    {"NAME": "caretrack.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Uploaded files: under MEDIA_ROOT, which several app servers must share (an NFS mount): rosters and photos
# waiting on a form's confirmation are kept there whatever stores the rest. Stored photos may go instead to
# S3-compatible object storage when AWS_STORAGE_BUCKET_NAME is set (`pip install "django-storages[s3]"`; its
# own AWS_* / AWS_S3_ENDPOINT_URL variables). Either way nothing has a public URL: children's and homes'
# photos are streamed by views that check who asks (private bucket, signed URLs only, never served as is).
if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    if importlib.util.find_spec("storages") is None:
        raise ImproperlyConfigured('AWS_STORAGE_BUCKET_NAME is set: pip install "django-storages[s3]"')
    _media = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {"default_acl": "private"}}
    _media["OPTIONS"].update(querystring_auth=True, file_overwrite=False, location="media")
else:
    _media = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _media,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and env_bool("DJANGO_MANIFEST_STATIC", True)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Cached figures (the county overview, with versions renewed on every change: caretrack.figure_versions).
# Shared by every gunicorn worker and every app server behind a load balancer: in the database by default
# (its table is made by migrate, see caretrack.apps, or by `manage.py createcachetable`), in Redis when
# REDIS_URL is set (Django's own RedisCache), or in CACHE_DIR, a directory, for one machine only.
if os.environ.get("REDIS_URL"):
    _cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
elif os.environ.get("CACHE_DIR"):
    _cache = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": os.environ["CACHE_DIR"]}
else:
    # MAX_ENTRIES: a county's schools × terms × days viewed; past it Django drops a third of the entries.
    _cache = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "caretrack_cache"}
    _cache["OPTIONS"] = {"MAX_ENTRIES": 20_000}
CACHES = {"default": _cache}

# Notifications (caretrack/notifications.py; README "提醒与通知 / Reminders"). Always in the app; by e-mail when
# EMAIL_HOST is set (to each user's e-mail address); to a 企业微信 or 钉钉 group robot when NOTIFY_WEBHOOK_URL is
# set. SITE_URL makes the links in e-mails and robot messages absolute.
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000")
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "caretrack@localhost")
NOTIFY_WEBHOOK_URL = os.environ.get("NOTIFY_WEBHOOK_URL", "")
NOTIFY_WEBHOOK_KIND = os.environ.get("NOTIFY_WEBHOOK_KIND", "wecom")  # wecom (企业微信) | dingtalk (钉钉)
if NOTIFY_WEBHOOK_KIND not in {"wecom", "dingtalk"}:
    raise ImproperlyConfigured("NOTIFY_WEBHOOK_KIND must be wecom or dingtalk")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Sessions expire after two hours of inactivity: phones get lost or shared in staff rooms.
# The expiry slides with use, renewed at most every few minutes (caretrack.middleware.SlidingSessionMiddleware):
# saving the session at every request would cost every page a write.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 2 * 60 * 60))
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = min(5 * 60, SESSION_COOKIE_AGE // 10)
SESSION_EXPIRE_AT_BROWSER_CLOSE = False

# Uploads (Excel rosters, photos): refuse anything larger before it reaches a view.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
MAX_REQUEST_BYTES = int(os.environ.get("MAX_REQUEST_BYTES", 64 * 1024 * 1024))  # a few photos at 10 MB each
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Failed-login throttling (django-axes): 5 failures for one username from one address lock that pair for
# 30 minutes; 20 failures from one address, whatever the usernames, lock the address (someone trying a few
# passwords on many accounts). The two limits are applied by caretrack.middleware.LoginThrottleHandler.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", 20))
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "caretrack.middleware.LoginThrottleHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# Behind reverse proxies (nginx), set TRUSTED_PROXY_COUNT to their number (1 for one nginx) so that the
# lockout sees the teacher's address, not the proxy's (which would lock out the whole school at once).
# Each proxy appends the address it received the request from ($proxy_add_x_forwarded_for), so the client
# is the N-th entry of X-Forwarded-For from the right; entries further left are whatever the client sent
# and are ignored. django-ipware (read by django-axes) counts the entries after the client, hence N - 1,
# and non-strict so that a client-supplied prefix does not make it fall back to the proxy's address.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", 0))
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT - 1
    AXES_IPWARE_PROXY_ORDER = "left-most"
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    IPWARE_STRICT = False

# Production hardening, on whenever DEBUG is off ("check --deploy" is clean).
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): scripts only from our own static files, never inline, so that an
# injected <script> or onclick="..." does not run; page actions are wired by data- attributes
# (static/js/page-actions.js). Styles still allow inline: a few templates carry <style> blocks and style
# attributes, and ECharts' SVG renderer writes style attributes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
