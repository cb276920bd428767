from csp.middleware import CSPMiddleware
from django.conf import settings
from django.urls import reverse


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy everywhere, relaxed for the admin only as far as CKEditor needs."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and parts.update is None and request.path_info.startswith(reverse("admin:index")):
            parts.update = settings.ADMIN_CONTENT_SECURITY_POLICY_UPDATE
        return parts


def client_ip(request):
    """The visitor's address for login throttling: behind nginx, the one it passes in X-Real-IP."""
    address = request.META.get("REMOTE_ADDR", "")
    if address in settings.TRUSTED_PROXY_IPS:
        return request.META.get("HTTP_X_REAL_IP") or address
    return address
