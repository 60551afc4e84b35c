"""Perpetuum's one settings module, configured by environment variables only.

PERPETUUM_ENV      "production" (default: HTTPS behind a proxy, secure cookies, HSTS) or
                   "local" (what `perpetuum up` uses: plain HTTP on a laptop)
PERPETUUM_DATA_DIR where the SQLite database, the generated secret key and uploads live
                   (default ./var)
PERPETUUM_SECRET_KEY, PERPETUUM_DEBUG, PERPETUUM_ALLOWED_HOSTS, DATABASE_URL,
PERPETUUM_DB_POOL_SIZE (16): PostgreSQL connections the server keeps at most,
PERPETUUM_RECYCLE_BIN_DAYS, PERPETUUM_DEFAULT_REGION,
PERPETUUM_LOGIN_FAILURE_LIMIT (5), PERPETUUM_LOGIN_COOLOFF_MINUTES (15): sign-in throttling
PERPETUUM_SMTP_HOST, _PORT (587), _USER, _PASSWORD, _USE_TLS (true), _FROM: outgoing
                   e-mail; without a host, messages are printed to the console
"""

from __future__ import annotations

import datetime
import os
import secrets
from pathlib import Path

import dj_database_url


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("PERPETUUM_DATA_DIR", "var")).resolve()
PERPETUUM_ENV = os.environ.get("PERPETUUM_ENV", "production")
IS_PRODUCTION = PERPETUUM_ENV == "production"


def _secret_key() -> str:
    """The key from the environment, else one generated once and kept in the data folder."""
    key = os.environ.get("PERPETUUM_SECRET_KEY")
    if key:
        return key
    path = DATA_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    path.write_text(key)
    path.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = _env_bool("PERPETUUM_DEBUG")
ALLOWED_HOSTS = _env_list("PERPETUUM_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = _env_list("PERPETUUM_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "perpetuum.core",
    "perpetuum.org",
    "perpetuum.clients",
    "perpetuum.timeline",
    "perpetuum.sales",
    "perpetuum.documents",
    "perpetuum.surveys",
    "perpetuum.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "perpetuum.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "perpetuum.core.middleware.ActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "perpetuum.web.middleware.DomainErrorMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

if _env_bool("PERPETUUM_QUERY_COUNT_HEADER"):
    MIDDLEWARE.insert(0, "perpetuum.core.middleware.QueryCountMiddleware")

ROOT_URLCONF = "perpetuum.urls"
ASGI_APPLICATION = "perpetuum.asgi.application"
WSGI_APPLICATION = "perpetuum.wsgi.application"

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
                "django.template.context_processors.i18n",
                "perpetuum.web.context.workspace",
            ],
        },
    },
]

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"])}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Served over ASGI, where Django's persistent connections (CONN_MAX_AGE) are not
        # reused between requests but kept open: psycopg's pool lends them out instead.
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 2,
            "max_size": int(os.environ.get("PERPETUUM_DB_POOL_SIZE", "16")),
            "timeout": 10,
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "perpetuum.sqlite3",
            "OPTIONS": {
                # WAL lets readers go on while one writer writes; IMMEDIATE takes the write
                # lock at BEGIN so two writers queue instead of failing mid-transaction.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=10000; PRAGMA cache_size=-64000;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

# The throttle of sign-in failures (django-axes) checks before the password backend does.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five failures lock the account name, and separately the client address, for the cool-off.
AXES_FAILURE_LIMIT = int(os.environ.get("PERPETUUM_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=int(os.environ.get("PERPETUUM_LOGIN_COOLOFF_MINUTES", "15"))
)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/auth/locked.html"
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("ru", "Русский"), ("fr", "Français")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("PERPETUUM_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# Outgoing e-mail (core.mail): SMTP when a host is configured, else the console.
EMAIL_HOST = os.environ.get("PERPETUUM_SMTP_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("PERPETUUM_SMTP_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("PERPETUUM_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("PERPETUUM_SMTP_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("PERPETUUM_SMTP_USE_TLS", True)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("PERPETUUM_SMTP_FROM", "perpetuum@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security: secure by default, relaxed only for plain-HTTP local runs.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
if IS_PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _env_bool("PERPETUUM_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("PERPETUUM_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PERPETUUM_LOG_LEVEL", "WARNING")},
}

# Product settings.
PERPETUUM_RECYCLE_BIN_DAYS = int(os.environ.get("PERPETUUM_RECYCLE_BIN_DAYS", "30"))
PERPETUUM_DEFAULT_REGION = os.environ.get("PERPETUUM_DEFAULT_REGION", "DE")
PERPETUUM_IDEMPOTENCY_HOURS = 24
PERPETUUM_PAGE_SIZE = 50
PERPETUUM_MAX_PAGE_SIZE = 200
PERPETUUM_EXPORT_LIMIT = int(os.environ.get("PERPETUUM_EXPORT_LIMIT", "100000"))
