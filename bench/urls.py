"""The site's URLs plus /hello/, the trivial Django view the bench compares the public pages with."""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_safe

from radiology_site.urls import urlpatterns as site_urlpatterns


@require_safe
def hello(request):
    """As little as a Django view can do: what every request costs before the page's own work."""
    return HttpResponse("Hello", content_type="text/plain")


urlpatterns = [path("hello/", hello), *site_urlpatterns]
