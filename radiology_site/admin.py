from django.conf import settings
from django.contrib import admin
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite

from . import resubmit


class StaffAdminSite(admin.AdminSite):
    """The admin, asking for a one-time code from an authenticator app when ADMIN_REQUIRES_2FA is on.

    A page's add or change form posted after the session ended is kept until its editor has
    logged in again (radiology_site/resubmit.py).
    """

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

    def admin_view(self, view, cacheable=False):
        wrapped = super().admin_view(view, cacheable)
        model_admin = resubmit.model_admin_keeping(view)
        return resubmit.keep_unsaved_changes(model_admin, wrapped) if model_admin else wrapped
