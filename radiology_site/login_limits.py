"""Login throttling: django-axes's lockout of one username from one address, plus two wider limits."""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessFailureLog
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Q
from django.utils import timezone


def wider_limits():
    """(what is counted, failures allowed, within how long) for the limits beyond axes's own."""
    return [
        ("ip_address", settings.LOGIN_ADDRESS_FAILURE_LIMIT, settings.LOGIN_ADDRESS_COOLOFF_TIME),
        ("username", settings.LOGIN_USERNAME_FAILURE_LIMIT, settings.LOGIN_USERNAME_COOLOFF_TIME),
    ]


class LoginLimitsHandler(AxesDatabaseHandler):
    """axes's database handler, also locking out an address or a username after too many failures.

    axes applies one failure limit and one cool-off to all its lockout parameters, but an address that
    a whole hospital may share needs a far higher limit than one person, and a username only a short
    lock. Its attempt records keep a running count per username and address, so these limits count
    AccessFailureLog instead, where axes records each failed login with its time.
    """

    def wider_cool_offs(self, request, credentials=None):
        """The cool-off times of the wider limits this request's address or username has reached."""
        values = {"ip_address": request.axes_ip_address, "username": get_client_username(request, credentials)}
        now = timezone.now()
        reached = []
        for field, limit, cool_off in wider_limits():
            failures = AccessFailureLog.objects.filter(**{field: values[field]}, attempt_time__gt=now - cool_off)
            if failures.count() >= limit:
                reached.append(cool_off)
        return reached

    def lockout_time(self, request, credentials=None):
        """How long a locked-out request must wait, at most: the longest cool-off of the limits it reached."""
        times = self.wider_cool_offs(request, credentials)
        if super().is_locked(request, credentials):
            times.append(settings.AXES_COOLOFF_TIME)
        return max(times, default=settings.AXES_COOLOFF_TIME)

    def is_locked(self, request, credentials=None):
        return super().is_locked(request, credentials) or bool(self.wider_cool_offs(request, credentials))

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is not None and not request.axes_locked_out and self.wider_cool_offs(request, credentials):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            username = get_client_username(request, credentials)
            user_locked_out.send("axes", request=request, username=username, ip_address=request.axes_ip_address)

    def remove_out_of_limit_failure_logs(self, *, username, limit=None):
        """Forget failures older than every limit's time; axes calls this after recording each one."""
        # axes's own version keeps a number of rows per username, and would delete the newest.
        oldest = timezone.now() - max(cool_off for _, _, cool_off in wider_limits())
        return AccessFailureLog.objects.filter(attempt_time__lte=oldest).delete()[0]

    def reset_attempts(self, *, ip_address=None, username=None, ip_or_username=False):
        """axes_reset, axes_reset_ip and axes_reset_username lift the wider limits too."""
        if ip_or_username:
            failures = AccessFailureLog.objects.filter(Q(ip_address=ip_address) | Q(username=username))
        else:
            given = {"ip_address": ip_address, "username": username}
            failures = AccessFailureLog.objects.filter(**{field: value for field, value in given.items() if value})
        failures.delete()
        return super().reset_attempts(ip_address=ip_address, username=username, ip_or_username=ip_or_username)
