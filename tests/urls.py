"""The site's URLs plus uploaded media, for browser tests (production leaves /media/ to the web server)."""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from radiology_site.urls import handler500  # noqa: F401 (the site's, with its 503 page)
from radiology_site.urls import urlpatterns as site_urlpatterns


def media(request, path):
    # MEDIA_ROOT is a per-test temporary folder, so look it up on each request.
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [*site_urlpatterns, re_path(r"^media/(?P<path>.*)$", media)]
