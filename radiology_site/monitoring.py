"""Where errors and logs go: emails to ADMINS, optional Sentry, and logs as text or JSON lines.

Read by settings.py; each part is off or quiet unless its environment variable asks for it.
"""

from email.utils import getaddresses

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email

LOG_FORMATS = {
    "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    # One JSON object per line, for a log collector (journald, Loki, Elastic...).
    "json": {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
    },
}


def admins(name, value):
    """DJANGO_ADMINS, e.g. "Web team <webteam@example.nhs.uk>, oncall@example.nhs.uk", as Django's ADMINS."""
    if not value.strip():
        return []
    people = getaddresses([value])
    for _, address in people:
        try:
            if any(ord(character) < 32 for character in value):
                raise ValidationError("control character")  # a line break would start another header
            validate_email(address)
        except ValidationError:
            raise ImproperlyConfigured(
                f"{name} must be email addresses separated by commas, e.g. 'Web team <webteam@example.nhs.uk>'; "
                f"got {value!r}."
            ) from None
    return [(person or address, address) for person, address in people]


def logging_config(name, log_format):
    """Everything at WARNING and above to standard error (so to journald under systemd), as text or JSON."""
    if log_format not in LOG_FORMATS:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(LOG_FORMATS)}; got {log_format!r}.")
    return {
        "version": 1,
        # Django's own defaults stay: with debug off, a server error is emailed to ADMINS (mail_admins).
        "disable_existing_loggers": False,
        "formatters": {"site": LOG_FORMATS[log_format]},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "site"}},
        "root": {"handlers": ["console"], "level": "WARNING"},
    }


def start_sentry(dsn, environment):
    """Send unhandled errors to Sentry (or a self-hosted, Sentry-compatible service such as GlitchTip)."""
    import sentry_sdk  # only when asked for: it patches Django as it starts

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        # No addresses, cookies, users or form bodies (staff passwords, page drafts) leave the site.
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        traces_sample_rate=0,
    )
