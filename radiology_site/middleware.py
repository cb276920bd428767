from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import BadRequest
from django.urls import reverse
from django.utils import timezone


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


class AdminQueryMiddleware:
    """Refuses an admin URL holding a NUL character, in its query or its path, with a 400 rather than a 500.

    PostgreSQL cannot compare text holding one, and the admin passes query values (filters, search,
    autocomplete) and object ids (history) straight to the database. Nobody types one; the public
    search removes it itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(reverse("admin:index")):
            values = [request.path_info]
            for key, items in request.GET.lists():
                values += [key, *items]
            if any("\x00" in value for value in values):
                raise BadRequest("An admin URL holds a NUL character.")
        return self.get_response(request)


class SessionLifetimeMiddleware:
    """Ends a logged-in session SESSION_MAX_AGE after it began, however busy, on top of the idle expiry."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Without a session cookie there is no login to end; asking would mark the session read, and
        # Django would then send `Vary: Cookie` on every public page.
        if settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated:
            now = timezone.now().timestamp()
            # Stamped by the first request after login: the redirect from the login form.
            started = request.session.setdefault("login_time", now)
            if now - started > settings.SESSION_MAX_AGE.total_seconds():
                logout(request)  # flushes the session: the cookie is dead for good
        return self.get_response(request)
