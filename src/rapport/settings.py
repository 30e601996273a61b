"""Every setting Rapport has, read from RAPPORT_* environment variables.

A bad value stops start-up with a message that names the variable. Nothing
else in the project reads the environment.
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env(name: str, default: str = "") -> str:
    return os.environ.get(f"RAPPORT_{name}", default).strip()


def envbool(name: str, default: bool) -> bool:
    raw = env(name, "1" if default else "0").lower()
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"RAPPORT_{name} must be true or false, not {raw!r}.")


def envint(name: str, default: int, *, minimum: int = 0) -> int:
    raw = env(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"RAPPORT_{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"RAPPORT_{name} must be at least {minimum}, not {value}.")
    return value


def port() -> int:
    """PORT, the one variable without the prefix: where `make run` serves."""
    raw = os.environ.get("PORT", "") or "8000"
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ImproperlyConfigured(f"PORT must be a port number (1 to 65535), not {raw!r}.")
    return int(raw)


def envurl(name: str, default: str, schemes: tuple[str, ...]) -> str:
    raw = env(name, default)
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in schemes or not (parts.netloc or parts.path):
        allowed = ", ".join(f"{s}://" for s in schemes)
        raise ImproperlyConfigured(
            f"RAPPORT_{name} must be a URL starting with {allowed}; got {raw!r}."
        )
    return raw


def secret_key(data_dir: Path) -> str:
    """RAPPORT_SECRET_KEY, or the file RAPPORT_SECRET_KEY_FILE names, or one
    generated into the data folder on the first run."""
    if value := env("SECRET_KEY"):
        return value
    if path := env("SECRET_KEY_FILE"):
        try:
            value = Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"RAPPORT_SECRET_KEY_FILE cannot be read: {exc}.") from None
        if not value:
            raise ImproperlyConfigured(f"RAPPORT_SECRET_KEY_FILE points at an empty file: {path}.")
        return value
    generated = data_dir / "secret_key"
    if not generated.exists():
        generated.write_text(secrets.token_urlsafe(50))
        generated.chmod(0o600)
    return generated.read_text().strip()


def database(data_dir: Path) -> dict[str, object]:
    url = env("DATABASE_URL") or f"sqlite:///{data_dir / 'rapport.sqlite3'}"
    try:
        config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    except ValueError as exc:
        raise ImproperlyConfigured(f"RAPPORT_DATABASE_URL is not a database URL: {exc}") from None
    engine = str(config["ENGINE"])
    if engine == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA cache_size=-64000; PRAGMA mmap_size=268435456;"
            ),
        }
    elif engine == "django.db.backends.postgresql":
        # No JIT compiling: it pays off only for long analytical queries, and
        # cost a search's count of a broad word 30 to 45 ms of its 300 (the
        # URL's own `?options=-c jit=on` comes later, and wins).
        options = dict(config.get("OPTIONS") or {})  # type: ignore[call-overload]
        options["options"] = f"-c jit=off {options.get('options', '')}".strip()
        config["OPTIONS"] = options
    else:
        raise ImproperlyConfigured(
            f"RAPPORT_DATABASE_URL must be sqlite:// or postgres://, not {url.split(':')[0]}://."
        )
    test_url = env("TEST_DATABASE_URL")
    if test_url:
        config["TEST"] = {"NAME": dj_database_url.parse(test_url)["NAME"]}
    return config


TESTING = "pytest" in sys.modules
# A test run that names no data folder gets a fresh one of its own, so it never
# touches the data of a Rapport that runs from the same checkout.
_default_data_dir = tempfile.mkdtemp(prefix="rapport-test-") if TESTING else "var"
DATA_DIR = Path(env("DATA_DIR", _default_data_dir)).resolve()
try:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
except OSError as exc:
    raise ImproperlyConfigured(f"RAPPORT_DATA_DIR cannot be created: {exc}.") from None

DEBUG = envbool("DEBUG", False)
SECRET_KEY = secret_key(DATA_DIR)
BASE_URL = envurl("BASE_URL", f"http://localhost:{port()}", ("http", "https")).rstrip("/")
EMAIL_URL = envurl("EMAIL_URL", "", ("smtp", "smtps", "smtp+starttls"))
IMAP_URL = envurl("IMAP_URL", "", ("imap", "imaps", "imap+starttls"))
# The company's name, as candidates see it on public pages ("Careers at …").
ORGANISATION_NAME = " ".join(env("ORGANISATION_NAME").split())[:80]

_base = urlsplit(BASE_URL)
ALLOWED_HOSTS = [_base.hostname or "localhost", "localhost", "127.0.0.1", "[::1]"]
ALLOWED_HOSTS += [h.strip() for h in env("ALLOWED_HOSTS").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [f"{_base.scheme}://{_base.netloc}"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _base.scheme == "https"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
if _base.scheme == "https":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "rapport.core",
    "rapport.accounts",
    "rapport.people",
    "rapport.search",
    "rapport.engagement",
    "rapport.outreach",
    "rapport.inbox",
    "rapport.jobs",
    "rapport.privacy",
    "rapport.sourcing",
    "rapport.api",
    "rapport.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "rapport.urls"
WSGI_APPLICATION = "rapport.wsgi.application"

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
                "rapport.web.context.navigation",
                "rapport.web.context.organisation",
            ],
            "builtins": ["rapport.web.templatetags.ui"],
        },
    }
]

DATABASES = {"default": database(DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["rapport.accounts.auth.EmailBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "candidate_list"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_THROTTLE_FAILURES = envint("LOGIN_THROTTLE_FAILURES", 5, minimum=1)
LOGIN_THROTTLE_MINUTES = envint("LOGIN_THROTTLE_MINUTES", 15, minimum=1)

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
WORKER_LEASE_SECONDS = envint("WORKER_LEASE_SECONDS", 30, minimum=3)

if EMAIL_URL:
    _mail = urlsplit(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or (465 if _mail.scheme == "smtps" else 25)
    EMAIL_HOST_USER = _mail.username or ""
    EMAIL_HOST_PASSWORD = _mail.password or ""
    EMAIL_USE_SSL = _mail.scheme == "smtps"
    EMAIL_USE_TLS = _mail.scheme == "smtp+starttls"
else:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEFAULT_FROM_EMAIL = env("FROM_EMAIL", f"Rapport <rapport@{_base.hostname or 'localhost'}>")

# Outreach: the domain of the return path and of unsubscribe mail, DKIM, and
# how the worker sends (connections in parallel, the lease on claimed mail).
MAIL_DOMAIN = env("MAIL_DOMAIN", _base.hostname or "localhost")
BOUNCE_ADDRESS = env("BOUNCE_ADDRESS", f"bounces@{MAIL_DOMAIN}")
DKIM_KEY_FILE = env("DKIM_KEY_FILE")
DKIM_SELECTOR = env("DKIM_SELECTOR", "rapport")
DKIM_DOMAIN = env("DKIM_DOMAIN", MAIL_DOMAIN)
if DKIM_KEY_FILE and not Path(DKIM_KEY_FILE).is_file():
    raise ImproperlyConfigured(f"RAPPORT_DKIM_KEY_FILE is not a readable file: {DKIM_KEY_FILE}.")
SMTP_CONNECTIONS = envint("SMTP_CONNECTIONS", 4, minimum=1)
SENDING_PROCESSES = envint("SENDING_PROCESSES", 1, minimum=1)
SMTP_TIMEOUT = envint("SMTP_TIMEOUT", 30, minimum=1)
OUTBOX_LEASE_SECONDS = envint("OUTBOX_LEASE_SECONDS", 300, minimum=10)

# Inbox: the mailbox replies and bounces arrive in (RAPPORT_IMAP_URL; its path
# names the folder, INBOX by default), an opt-in folder to move processed mail
# to, how often to look when the server offers no IDLE, the tokenised reply
# address, and what is kept of each inbound message.
IMAP_MOVE_TO = env("IMAP_MOVE_TO")
IMAP_POLL_SECONDS = envint("IMAP_POLL_SECONDS", 60, minimum=1)
IMAP_IDLE = envbool("IMAP_IDLE", True)
REPLY_ADDRESS = env("REPLY_ADDRESS")
if REPLY_ADDRESS and "@" not in REPLY_ADDRESS:
    raise ImproperlyConfigured(
        f"RAPPORT_REPLY_ADDRESS must be an email address such as replies@{MAIL_DOMAIN}; "
        f"got {REPLY_ADDRESS!r}."
    )
INBOUND_MAX_BYTES = envint("INBOUND_MAX_BYTES", 25 * 1024 * 1024, minimum=10_000)
INBOUND_SOFT_BOUNCES = envint("INBOUND_SOFT_BOUNCES", 3, minimum=1)

# Imports: the largest file accepted (streamed, so memory does not grow with it),
# and whether a big file's rows are checked in a second process (2) or not (1).
IMPORT_MAX_BYTES = envint("IMPORT_MAX_BYTES", 1024 * 1024 * 1024, minimum=1024)
IMPORT_PROCESSES = envint("IMPORT_PROCESSES", 2, minimum=1)

# SMS: empty keeps texts in the app (captured); otherwise a Twilio-compatible
# API, https://ACCOUNT_SID:AUTH_TOKEN@api.twilio.com, sending from SMS_FROM.
SMS_URL = envurl("SMS_URL", "", ("https", "http"))
SMS_FROM = env("SMS_FROM")
if SMS_URL and not SMS_FROM:
    raise ImproperlyConfigured(
        "RAPPORT_SMS_FROM (a phone number in E.164, +15551234567) "
        "must be set when RAPPORT_SMS_URL is."
    )

LANGUAGE_CODE = "en"
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO").upper()},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
