from django.contrib.admin import apps as admin_apps


# Imported through its module so that this file offers Django no default app config for radiology_site.
class StaffAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with StaffAdminSite as admin.site."""

    default = False
    default_site = "radiology_site.admin.StaffAdminSite"
