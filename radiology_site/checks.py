from django.conf import settings
from django.core.checks import Error, Warning, register


@register(deploy=True)
def check_site_url(app_configs, **kwargs):
    """Links in review_report and emails need the site's public address."""
    if not settings.SITE_URL:
        message = "SITE_URL is not set, so links read away from the site would have no host."
        hint = "Set SITE_URL to the site's public address, e.g. https://patientinfo.example.nhs.uk."
        return [Error(message, hint=hint, id="radiology_site.E001")]
    if not settings.SITE_URL.startswith("https://"):
        message = f"SITE_URL is {settings.SITE_URL}, not an HTTPS address."
        return [Warning(message, hint="Use the https:// address staff use.", id="radiology_site.W001")]
    return []
