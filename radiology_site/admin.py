from django.conf import settings
from django.contrib import admin
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite


class StaffAdminSite(admin.AdminSite):
    """The admin, asking for a one-time code from an authenticator app when ADMIN_REQUIRES_2FA is on."""

    @property
    def login_form(self):
        return OTPAdminAuthenticationForm if settings.ADMIN_REQUIRES_2FA else None

    @property
    def login_template(self):
        return OTPAdminSite.login_template if settings.ADMIN_REQUIRES_2FA else None

    def has_permission(self, request):
        if settings.ADMIN_REQUIRES_2FA and not request.user.is_verified():
            return False
        return super().has_permission(request)
