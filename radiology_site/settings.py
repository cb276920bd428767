"""Settings for the radiology patient-information site, driven by the environment.

Every variable is documented in README.md ("Configuration").
"""

import os
import re
import tempfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from radiology_site import monitoring

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    """Read a yes/no variable, refusing anything ambiguous."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}.")


def env_list(name, default=""):
    """Read a comma-separated list, ignoring blanks."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name, default, minimum=1):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {value!r}.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {number}.")
    return number


def env_site_url(name, default):
    """Read a site's address, such as https://patientinfo.example.nhs.uk: http(s), a host, no path."""
    value = os.environ.get(name, "").strip() or default
    if not value:
        return ""
    parts = urlsplit(value)
    try:
        valid = (
            parts.scheme in {"http", "https"}
            and bool(parts.hostname)
            and parts.username is None
            and parts.path in {"", "/"}
            and not parts.query
            and not parts.fragment
            and parts.port != 0  # .port raises ValueError unless the port is a number
        )
    except ValueError:
        valid = False
    if not valid:
        raise ImproperlyConfigured(
            f"{name} must be the site's address with no path, e.g. https://patientinfo.example.nhs.uk; got {value!r}."
        )
    return f"{parts.scheme}://{parts.netloc}"


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    # Development only: DEBUG is on, so nothing here is meant to be public.
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Project
    "radiology_site",
    "publishing",
    "procedures",
    "conditions",
    "demo",  # `manage.py load_demo` and its content; nothing imports it
    "feedback",
    # Third party
    "django_ckeditor_5",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "reversion",
    # Contrib
    "radiology_site.apps.StaffAdminConfig",  # django.contrib.admin with optional two-factor login
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    # First: a page served from the cache skips everything below and already carries its headers.
    "publishing.page_cache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Above WhiteNoise so that static files get the policy too.
    "radiology_site.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "radiology_site.middleware.AdminQueryMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before OTPMiddleware, so that a user it logs out is still given is_verified().
    "radiology_site.middleware.SessionLifetimeMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees the failed logins every other middleware let through.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "radiology_site.urls"
WSGI_APPLICATION = "radiology_site.wsgi.application"

TEMPLATES = [
    {
        # The public pages. Jinja2 renders them about three times faster than Django's template language,
        # whose rendering was a third of an uncached page's CPU time (README, "Benchmark").
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "environment": "radiology_site.templating.environment",
            "context_processors": ["radiology_site.context_processors.site"],
        },
    },
    {
        # The staff admin, in Django's own language; publishing/templates/admin/ holds the workflow's screens.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

_database_url = os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)}
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {error}") from None

# How long to wait for PostgreSQL before a request gets the "temporarily unavailable" page: a new connection
# (libpq's connect_timeout) and a query (the server's statement_timeout). radiology_site/database.py adds
# deadlines of its own for a server that hangs rather than stops, which neither covers. 0 for queries means no limit,
# e.g. for a long one-off migration.
DATABASE_CONNECT_TIMEOUT = env_int("DJANGO_DB_CONNECT_TIMEOUT_SECONDS", 2)
DATABASE_QUERY_TIMEOUT = env_int("DJANGO_DB_QUERY_TIMEOUT_SECONDS", 3, minimum=0)
# The Retry-After of that page, in seconds.
DATABASE_RETRY_AFTER = env_int("DJANGO_DB_RETRY_AFTER_SECONDS", 30)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["connect_timeout"] = DATABASE_CONNECT_TIMEOUT
    if DATABASE_QUERY_TIMEOUT:
        _options["options"] = f"{_options.get('options', '')} -c statement_timeout={DATABASE_QUERY_TIMEOUT}s".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds rendered public pages (publishing/page_cache.py). With REDIS_URL every app server
# shares one Redis; without it, a folder shared by this machine's gunicorn workers, so that `make run`
# needs nothing more. Short socket timeouts: a Redis that is down or hung is a cache miss, not a wait.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    if urlsplit(REDIS_URL).scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(f"REDIS_URL must start redis://, rediss:// or unix://; got {REDIS_URL!r}.")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("DJANGO_CACHE_DIR", "").strip()
            or str(Path(tempfile.gettempdir()) / "patientinfo-cache"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
# How long a cached public page is served without rendering it again: changes invalidate it at
# once, so this only bounds the cost of anything that changed behind the site's back. 0 turns
# the page cache off (HTTP caching headers are still sent).
PAGE_CACHE_SECONDS = env_int("DJANGO_PAGE_CACHE_SECONDS", 3600, minimum=0)
# What public pages tell browsers and shared caches (nginx, a CDN): how long to reuse a page
# without asking, how long to show a stale one while revalidating it, and while the site is down.
HTTP_MAX_AGE_SECONDS = env_int("DJANGO_HTTP_MAX_AGE_SECONDS", 60, minimum=0)
HTTP_STALE_WHILE_REVALIDATE_SECONDS = env_int("DJANGO_HTTP_STALE_WHILE_REVALIDATE_SECONDS", 60, minimum=0)
HTTP_STALE_IF_ERROR_SECONDS = env_int("DJANGO_HTTP_STALE_IF_ERROR_SECONDS", 24 * 3600, minimum=0)

# Argon2 is the hasher OWASP recommends; the others only check passwords stored before it.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    # django-axes refuses logins while an account and address are locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Long enough for a passphrase, such as the three random words the NCSC recommends.
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploads on S3-compatible object storage (django-storages), so that several app servers share them
# without a shared folder. Pages link images by plain, lasting URLs: the bucket (or the CDN or
# domain in front of it, DJANGO_MEDIA_S3_PUBLIC_URL) must let anyone read its objects.
MEDIA_S3_BUCKET = os.environ.get("DJANGO_MEDIA_S3_BUCKET", "").strip()
MEDIA_ORIGIN = ""  # where images come from when that is not the site itself, for the CSP below
if MEDIA_S3_BUCKET:
    _endpoint = env_site_url("DJANGO_MEDIA_S3_ENDPOINT_URL", "")
    _public = env_site_url("DJANGO_MEDIA_S3_PUBLIC_URL", "")
    if not (_endpoint or _public):
        raise ImproperlyConfigured(
            "DJANGO_MEDIA_S3_BUCKET needs DJANGO_MEDIA_S3_ENDPOINT_URL (e.g. https://s3.eu-west-2.amazonaws.com) "
            "or DJANGO_MEDIA_S3_PUBLIC_URL, so that pages may show images from there."
        )
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "endpoint_url": _endpoint or None,
            "region_name": os.environ.get("DJANGO_MEDIA_S3_REGION", "").strip() or None,
            # Unset, boto3 finds credentials itself (an instance role, ~/.aws, AWS_* variables).
            "access_key": os.environ.get("DJANGO_MEDIA_S3_ACCESS_KEY_ID", "").strip() or None,
            "secret_key": os.environ.get("DJANGO_MEDIA_S3_SECRET_ACCESS_KEY", "").strip() or None,
            "custom_domain": urlsplit(_public).netloc or None,
            "url_protocol": f"{urlsplit(_public).scheme or 'https'}:",
            # Path-style addresses work with every S3-compatible store (MinIO, Ceph, moto).
            "addressing_style": "path",
            "querystring_auth": False,
            "file_overwrite": False,
            # As nginx sends uploads: a withdrawn image leaves caches within a day.
            "object_parameters": {"CacheControl": "public, max-age=86400"},
        },
    }
    MEDIA_ORIGIN = _public or _endpoint

# Rich text: the toolbar offers exactly what publishing.sanitise allows and the public CSS styles.
CKEDITOR_5_CONFIGS = {
    "default": {
        "toolbar": {
            "items": [
                "heading",
                "|",
                "bold",
                "italic",
                "link",
                "|",
                "bulletedList",
                "numberedList",
                "blockQuote",
                "insertTable",
                "|",
                "undo",
                "redo",
            ],
        },
        "heading": {
            "options": [
                {"model": "paragraph", "title": "Paragraph", "class": "ck-heading_paragraph"},
                {"model": "heading3", "view": "h3", "title": "Subheading", "class": "ck-heading_heading3"},
                {"model": "heading4", "view": "h4", "title": "Minor heading", "class": "ck-heading_heading4"},
            ],
        },
        "link": {"defaultProtocol": "https://"},
        "table": {"contentToolbar": ["tableColumn", "tableRow"]},
    },
}
# The editor's own upload endpoint is routed to a view that refuses everything.
CKEDITOR_5_FILE_UPLOAD_PERMISSION = "staff"

SITE_NAME = os.environ.get("SITE_NAME", "Interventional Radiology patient information")
# The number patients are told to call in an emergency, on every page's urgent-help card and footer:
# the department decides (999 in the UK, 995 in Singapore, 112 across Europe).
EMERGENCY_NUMBER = os.environ.get("DJANGO_EMERGENCY_NUMBER", "").strip() or "999"
if not re.fullmatch(r"[0-9]{2,8}", EMERGENCY_NUMBER):
    raise ImproperlyConfigured(
        f"DJANGO_EMERGENCY_NUMBER must be the digits of a phone number to call, e.g. 999; got {EMERGENCY_NUMBER!r}."
    )
# Email to clinical reviewers when a page waits for them. Printed to the console under
# `make run` (debug); sent over SMTP in production.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT_SECONDS", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "patient-information@localhost")
# Who is emailed the details of every server error, with debug off (radiology_site/monitoring.py).
ADMINS = monitoring.admins("DJANGO_ADMINS", os.environ.get("DJANGO_ADMINS", ""))
SERVER_EMAIL = os.environ.get("DJANGO_SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# The site's public address, for links read away from it (review_report, emails). Production must set it:
# `check --deploy` says so (radiology_site/checks.py).
SITE_URL = env_site_url("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "")

# Case image uploads (conditions/images.py). nginx's client_max_body_size must be larger.
IMAGE_UPLOAD_MAX_BYTES = env_int("IMAGE_UPLOAD_MAX_MB", 10) * 1024 * 1024
IMAGE_UPLOAD_MAX_PIXELS = env_int("IMAGE_UPLOAD_MAX_MEGAPIXELS", 40) * 1_000_000

# HTTPS. nginx terminates TLS and sets X-Forwarded-Proto; gunicorn listens on 127.0.0.1 only, so
# nothing else can set that header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers and systemd check health over plain HTTP, straight to gunicorn on this machine.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
if SESSION_COOKIE_SECURE:
    # Browsers keep a __Host- cookie only if it is Secure, for the path / and for this host alone, so
    # neither a subdomain nor plain HTTP can plant or overwrite one. Browsers refuse it without Secure.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
# Django's defaults, written out because the security review checks them.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp). Public pages run no script at all and load nothing from
# other sites; radiology_site.middleware relaxes styles for the admin, where CKEditor needs them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", *([MEDIA_ORIGIN] if MEDIA_ORIGIN else [])],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
ADMIN_CONTENT_SECURITY_POLICY_UPDATE = {
    # CKEditor 5's documentation asks for inline styles (it positions its panels and table columns
    # with style attributes); scripts stay 'self' only. Admin stylesheets use data: images.
    "style-src": ["'unsafe-inline'"],
    "img-src": ["data:"],
}

# The admin is the only place to log in or out. Where a login goes when its ?next= is missing or
# leads off the site; and a logout always redirects (Django would otherwise answer an off-site
# ?next= by redirecting to the logout URL itself, which refuses GET).
LOGIN_REDIRECT_URL = "admin:index"
LOGOUT_REDIRECT_URL = "logged_out"

# Staff sessions end after this much inactivity: every request pushes the expiry back.
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
# An admin form refused only because its CSRF token went stale is kept for its editor (radiology_site/resubmit.py).
CSRF_FAILURE_VIEW = "radiology_site.resubmit.csrf_failure"
# However busy, a session ends this long after login (radiology_site.middleware.SessionLifetimeMiddleware),
# so that a stolen cookie kept in use does not work for ever.
SESSION_MAX_AGE = timedelta(hours=env_int("DJANGO_SESSION_MAX_HOURS", 12))

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failed logins for one username from one
# address, both are locked out together for the cool-off time. Locking a username alone would let
# anyone lock staff out; locking an address alone would lock out a whole hospital behind one NAT.
AXES_FAILURE_LIMIT = env_int("DJANGO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("DJANGO_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Two wider limits (radiology_site/login_limits.py), each counting failures within its own time. One
# address trying many usernames (password spraying), set high enough that a hospital behind one
# address does not reach it by mistake; and one username tried from many addresses, locked only
# briefly, so that nobody can keep a colleague out for long.
AXES_HANDLER = "radiology_site.login_limits.LoginLimitsHandler"
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # one row a failure, with its time: what the wider limits count
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("DJANGO_LOGIN_ADDRESS_FAILURE_LIMIT", 50)
LOGIN_ADDRESS_COOLOFF_TIME = timedelta(minutes=env_int("DJANGO_LOGIN_ADDRESS_LOCKOUT_MINUTES", 60))
LOGIN_USERNAME_FAILURE_LIMIT = env_int("DJANGO_LOGIN_USERNAME_FAILURE_LIMIT", 10)
LOGIN_USERNAME_COOLOFF_TIME = timedelta(minutes=env_int("DJANGO_LOGIN_USERNAME_LOCKOUT_MINUTES", 5))
# Logins refused during a lockout are not counted: staff retrying (a whole hospital, behind one
# address) must not keep the lock going.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "radiology_site.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "radiology_site.middleware.client_ip"
# The addresses of the reverse proxy, whose X-Real-IP header names the real visitor.
TRUSTED_PROXY_IPS = env_list("DJANGO_TRUSTED_PROXY_IPS", "127.0.0.1,::1")

# "Was this page helpful?" (feedback/): posts one address may send in a window, counted in the cache. A
# hospital's wards and a family's phones may share an address, so this counts posts, not people.
FEEDBACK_RATE_LIMIT = env_int("DJANGO_FEEDBACK_RATE_LIMIT", 10)
FEEDBACK_RATE_LIMIT_SECONDS = env_int("DJANGO_FEEDBACK_RATE_LIMIT_MINUTES", 10) * 60

# Two-factor login for the admin (django-otp, TOTP apps such as Microsoft or Google Authenticator).
ADMIN_REQUIRES_2FA = env_bool("DJANGO_ADMIN_2FA")
OTP_TOTP_ISSUER = SITE_NAME

# A page's next review falls due this long after its last review unless a reviewer sets the date:
# three years, as the NHS standard for health information asks.
REVIEW_INTERVAL_DAYS = env_int("REVIEW_INTERVAL_DAYS", 3 * 365)

LOGGING = monitoring.logging_config("DJANGO_LOG_FORMAT", os.environ.get("DJANGO_LOG_FORMAT", "text").strip().lower())

if SENTRY_DSN := os.environ.get("SENTRY_DSN", "").strip():
    monitoring.start_sentry(SENTRY_DSN, os.environ.get("SENTRY_ENVIRONMENT", "production"))
