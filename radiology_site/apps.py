from django.apps import AppConfig
from django.conf import settings
from django.contrib.admin import apps as admin_apps


class RadiologySiteConfig(AppConfig):
    name = "radiology_site"

    def ready(self):
        from . import checks, signals  # noqa: F401 (registers the checks, connects the receivers)

        if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
            from . import database

            database.install(settings.DATABASE_CONNECT_TIMEOUT, settings.DATABASE_QUERY_TIMEOUT)


# Imported through its module so that Django does not take AdminConfig for radiology_site's own config.
class StaffAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with StaffAdminSite as admin.site."""

    default = False
    default_site = "radiology_site.admin.StaffAdminSite"
