from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from conditions.models import Condition
from procedures.models import Procedure
from publishing import page_cache
from publishing.page_cache import cached_page

from . import health, outage, views
from .sitemaps import sitemap_xml

admin.site.site_header = "Patient information: staff admin"
admin.site.site_title = "Patient information admin"
admin.site.index_title = "Pages, procedures and case studies"

urlpatterns = [
    path("", cached_page(views.home, Condition.LIST_TAG, Procedure.LIST_TAG), name="home"),
    path("search/", views.search, name="search"),
    # Changed by any change to a public page: its address or the date of its approved version (SITEMAP_TAG).
    path("sitemap.xml", cached_page(sitemap_xml, page_cache.SITEMAP_TAG), name="sitemap"),
    path("robots.txt", cached_page(views.robots_txt), name="robots_txt"),
    path("conditions/", include("conditions.urls")),
    path("procedures/", include("procedures.urls")),
    # Ahead of the admin's own URLs, which would send a visitor who is not logged in to log in.
    path("admin/logged-out/", views.logged_out, name="logged_out"),
    path("admin/", admin.site.urls),
    # django-ckeditor-5's widget reverses this name while rendering; every upload is refused.
    path("ckeditor5/image_upload/", views.refuse_editor_upload, name="ck_editor_5_upload_file"),
    # For load balancers and systemd; exempt from the HTTPS redirect (SECURE_REDIRECT_EXEMPT).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.Readiness.as_view(), name="readyz"),
]

# A 503 page, with Retry-After, while the database is unavailable; the 500 page otherwise.
handler500 = outage.server_error

if settings.DEBUG:
    # Development only; in production the web server serves uploads (see README).
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
