"""Django settings, read from environment variables (all listed in docs/configuration.md).

The embedded default (no variable set) is a development deployment: SQLite and
files under var/, simulators for external systems. `TERRITOIRES_ENV=production`
switches on the safety checks at the bottom of this file.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from territoires.config.env import env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = PACKAGE_DIR.parent.parent

ENVIRONMENT = env_str("TERRITOIRES_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured("TERRITOIRES_ENV doit valoir « development » ou « production ».")
PRODUCTION = ENVIRONMENT == "production"

DATA_DIR = Path(env_str("TERRITOIRES_DATA_DIR", str(Path.cwd() / "var"))).resolve()
REFERENCE_DATA_DIR = Path(
    env_str("TERRITOIRES_REFERENCE_DIR", str(REPO_DIR.parent / "shared" / "reference"))
).resolve()

DEFAULT_SECRET_KEY = "insecure-development-key-change-me-in-production"  # noqa: S105 (not a secret)
SECRET_KEY = env_str("SECRET_KEY", DEFAULT_SECRET_KEY)
DEBUG = env_bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "territoires.ui.views.csrf_failure"
OPERATOR_NAME = env_str("TERRITOIRES_OPERATOR_NAME", "GIP Territoires numériques")
PUBLIC_URL = env_str("TERRITOIRES_PUBLIC_URL", f"http://127.0.0.1:{env_int('PORT', 8000)}")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "territoires.core",
    "territoires.ui",
    "territoires.journal",
    "territoires.accounts",
    "territoires.tenancy",
    "territoires.backoffice",
    "territoires.formations",
    "territoires.actes",
    "territoires.marches",
    "territoires.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "territoires.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

# Rendered pieces of the page layout (`{% cache %}` in ui/base.html: assets, skip
# links, menus, footer). They depend only on the code and on the values a fragment
# varies on, so each process keeps its own and nothing needs invalidating; "default"
# stays the per-process cache Django gives (OIDC discovery).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "template_fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "template-fragments",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}

ROOT_URLCONF = "territoires.config.urls"
WSGI_APPLICATION = "territoires.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "territoires.tenancy.context_processors.active_body",
            ],
        },
    }
]

DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if env_bool("DATABASE_PREPARED_STATEMENTS", True):
        # Values bound by the server, and a statement run 5 times on a connection is
        # prepared (psycopg): PostgreSQL then skips parsing and planning. On the agent
        # home this cut PostgreSQL's CPU per request by two thirds (bench/pages.py).
        # Django leaves it off for transaction-pooling PgBouncer; so can the deployment.
        DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "territoires.sqlite3",
            # Kept open between requests, as on PostgreSQL: opening a connection runs the
            # PRAGMAs, and closing the last one checkpoints and removes the WAL, which the
            # next request must rebuild under an exclusive lock (a logged-in page at 8
            # clients spent most of its time there).
            "CONN_MAX_AGE": 60,
            "OPTIONS": {
                # The web process and the worker write concurrently: WAL lets
                # readers go on, IMMEDIATE transactions avoid upgrade deadlocks.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["territoires.accounts.backends.EmailPasswordBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "territoires.accounts.passwords.CharacterClassesValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "tenancy:home"
LOGOUT_REDIRECT_URL = "accounts:login"
LOGIN_MAX_FAILURES = env_int("TERRITOIRES_LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_MINUTES = env_int("TERRITOIRES_LOGIN_LOCKOUT_MINUTES", 15)
# Reverse proxies in front of the web processes: the client address is read from X-Forwarded-For.
TRUSTED_PROXIES = env_int("TERRITOIRES_TRUSTED_PROXIES", 0)
INVITATION_VALIDITY_DAYS = env_int("TERRITOIRES_INVITATION_DAYS", 7)

# ProConnect (OpenID Connect); disabled while the discovery URL is empty.
PROCONNECT_DISCOVERY_URL = env_str("PROCONNECT_DISCOVERY_URL", "")
PROCONNECT_CLIENT_ID = env_str("PROCONNECT_CLIENT_ID", "")
PROCONNECT_CLIENT_SECRET = env_str("PROCONNECT_CLIENT_SECRET", "")
PROCONNECT_SCOPES = env_str(
    "PROCONNECT_SCOPES", "openid given_name usual_name email uid siret idp_id"
)
PROCONNECT_ACR_VALUES = env_str("PROCONNECT_ACR_VALUES", "eidas1")

# e-actes: transmission to the prefecture (@CTES). The simulator is the default;
# `ministry` posts to the DGCL with a client certificate and reads its answers
# from an IMAP mailbox.
ACTES_TRANSPORT = env_str("ACTES_TRANSPORT", "simulator")
if ACTES_TRANSPORT not in {"simulator", "ministry"}:
    raise ImproperlyConfigured("ACTES_TRANSPORT doit valoir « simulator » ou « ministry ».")
ACTES_TRIGRAM = env_str("ACTES_TRIGRAM", "TER")
ACTES_PRODUCTION = env_bool("ACTES_PRODUCTION", False)
ACTES_RETURN_EMAIL = env_str("ACTES_RETURN_EMAIL", "actes@territoires.example.org")
ACTES_HOURLY_LIMIT_MB = env_int("ACTES_HOURLY_LIMIT_MB", 2048)
ACTES_BATCH_SIZE = env_int("ACTES_BATCH_SIZE", 20)
ACTES_MINISTRY_URL = env_str("ACTES_MINISTRY_URL", "")
ACTES_CLIENT_CERT = env_str("ACTES_CLIENT_CERT", "")
ACTES_CLIENT_KEY = env_str("ACTES_CLIENT_KEY", "")
ACTES_SERVER_CA = env_str("ACTES_SERVER_CA", "")
ACTES_IMAP_HOST = env_str("ACTES_IMAP_HOST", "")
ACTES_IMAP_PORT = env_int("ACTES_IMAP_PORT", 993)
ACTES_IMAP_SSL = env_bool("ACTES_IMAP_SSL", True)
ACTES_IMAP_USER = env_str("ACTES_IMAP_USER", "")
ACTES_IMAP_PASSWORD = env_str("ACTES_IMAP_PASSWORD", "")
ACTES_IMAP_MAILBOX = env_str("ACTES_IMAP_MAILBOX", "INBOX")
ACTES_IMAP_CA = env_str("ACTES_IMAP_CA", "")
ACTES_SIMULATOR_URL = env_str("ACTES_SIMULATOR_URL", PUBLIC_URL + "/simulateur/actes/depot/")
ACTES_SIMULATOR_DELAY = env_int("ACTES_SIMULATOR_DELAY", 5)
ACTES_SIMULATOR_DIR = Path(env_str("ACTES_SIMULATOR_DIR", str(DATA_DIR / "actes-simulateur")))

# Salle des marchés. Each adapter to an outside system has a simulator as its default.
# Largest DCE file a buyer may upload, published on the upload form (C3).
MARCHES_DCE_MAX_MB = env_int("MARCHES_DCE_MAX_MB", 500)
# SIRET looked up at registration per visitor address and hour (each is an API Entreprise call).
MARCHES_SIRET_LOOKUPS_PER_HOUR = env_int("MARCHES_SIRET_LOOKUPS_PER_HOUR", 30)
# Open-data notice import, twice a day: "boamp", "ted" or "boamp,ted"; empty (default) = disabled.
MARCHES_OPENDATA_SOURCES = env_str("MARCHES_OPENDATA_SOURCES", "")
MARCHES_BOAMP_URL = env_str(
    "MARCHES_BOAMP_URL",
    "https://boamp-datadila.opendatasoft.com/api/explore/v2.1/catalog/datasets/boamp/records",
)
MARCHES_TED_URL = env_str("MARCHES_TED_URL", "https://api.ted.europa.eu/v3/notices/search")
MARCHES_OPENDATA_TIMEOUT = env_int("MARCHES_OPENDATA_TIMEOUT", 30)
# API Entreprise: "simulator" (demo directory, labelled as such) or "http" (API Entreprise v3).
API_ENTREPRISE_BACKEND = env_str("API_ENTREPRISE_BACKEND", "simulator")
if API_ENTREPRISE_BACKEND not in {"simulator", "http"}:
    raise ImproperlyConfigured("API_ENTREPRISE_BACKEND doit valoir « simulator » ou « http ».")
API_ENTREPRISE_URL = env_str("API_ENTREPRISE_URL", "https://entreprise.api.gouv.fr")
API_ENTREPRISE_TOKEN = env_str("API_ENTREPRISE_TOKEN", "")
API_ENTREPRISE_RECIPIENT = env_str("API_ENTREPRISE_RECIPIENT", "")
API_ENTREPRISE_CONTEXT = env_str("API_ENTREPRISE_CONTEXT", "Marchés publics")
API_ENTREPRISE_TIMEOUT = env_int("API_ENTREPRISE_TIMEOUT", 10)
API_ENTREPRISE_RCS = env_bool("API_ENTREPRISE_RCS", False)
if API_ENTREPRISE_BACKEND == "http" and not (API_ENTREPRISE_TOKEN and API_ENTREPRISE_RECIPIENT):
    raise ImproperlyConfigured("API_ENTREPRISE_BACKEND=http demande API_ENTREPRISE_TOKEN et API_ENTREPRISE_RECIPIENT.")

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [PACKAGE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
# Files: local folder by default; S3-compatible object storage in production
# (install the `s3` extra; credentials come from the standard AWS_* variables).
_storage_backend = env_str("TERRITOIRES_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")
_storage_options = {}
if "s3" in _storage_backend.lower():
    _storage_options = {
        "bucket_name": env_str("TERRITOIRES_S3_BUCKET", "territoires"),
        "endpoint_url": env_str("TERRITOIRES_S3_ENDPOINT_URL", "") or None,
        "region_name": env_str("TERRITOIRES_S3_REGION", "") or None,
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
    }
STORAGES = {
    "default": {"BACKEND": _storage_backend, "OPTIONS": _storage_options},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Pieces the browser sends large files in (`core.uploads`; the server takes up to 8 MB).
UPLOAD_CHUNK_BYTES = 4 * 1024 * 1024

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
TASK_MAX_ATTEMPTS = env_int("TERRITOIRES_TASK_MAX_ATTEMPTS", 5)

# E-mail (Django 6.1 MAILERS). Default: files under var/mails, readable in the demo.
_mail_backend = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
if _mail_backend.endswith("smtp.EmailBackend"):
    _mail_options = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
    }
elif _mail_backend.endswith("filebased.EmailBackend"):
    _mail_options = {"file_path": str(DATA_DIR / "mails")}
else:
    _mail_options = {}
MAILERS = {"default": {"BACKEND": _mail_backend, "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Territoires <ne-pas-repondre@territoires.local>")

SESSION_ENGINE = "territoires.accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)

# Strict CSP: no inline script or style anywhere; htmx is served from 'self'.
_form_action = [CSP.SELF]
if PROCONNECT_DISCOVERY_URL:
    from urllib.parse import urlsplit

    _parts = urlsplit(PROCONNECT_DISCOVERY_URL)
    _form_action.append(f"{_parts.scheme}://{_parts.netloc}")
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": _form_action,
}

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # pyHanko logs a traceback at WARNING for every certificate it cannot trust,
    # which is routine here (self-signed certificates are accepted by ACTES).
    "loggers": {
        "pyhanko": {"level": "ERROR"},
        "pyhanko_certvalidator": {"level": "ERROR"},
    },
}

if PRODUCTION:
    if SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "Production : définissez SECRET_KEY (au moins 32 caractères, pas la clé par défaut)."
        )
    if DEBUG:
        raise ImproperlyConfigured("Production : DEBUG doit être désactivé.")
