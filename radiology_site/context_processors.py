from django.conf import settings


def site(request):
    return {
        "site_name": settings.SITE_NAME,
        "emergency_number": settings.EMERGENCY_NUMBER,
        # The query string is left out so that one page has one canonical address.
        "canonical_url": request.build_absolute_uri(request.path),
    }
