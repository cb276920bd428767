"""/sitemap.xml: every public page, from the same published() rule as the pages themselves."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap
from django.db.models import Max
from django.views.decorators.http import require_safe

from conditions.models import Condition
from procedures.models import Procedure
from publishing.addresses import address


class PublicSitemap(Sitemap):
    """Addresses start with SITE_URL, as links read away from the site must; without it, with the request's."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme if settings.SITE_URL else super().get_protocol(protocol)

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc if settings.SITE_URL else super().get_domain(site)


class PageSitemap(PublicSitemap):
    """Every published page of one model, dated by when its approved version was written."""

    def __init__(self, model):
        self.model = model

    def items(self):
        return self.model.objects.published().only("slug", "updated_at").order_by("slug")

    def lastmod(self, page):
        return page.updated_at


class ListSitemap(PublicSitemap):
    """The home page and the two lists, each dated by the newest approved version it lists."""

    LISTS = [("home", (Condition, Procedure)), ("conditions:index", (Condition,)), ("procedures:index", (Procedure,))]

    def items(self):
        newest = {
            model: model.objects.published().aggregate(newest=Max("updated_at"))["newest"]
            for model in (Condition, Procedure)
        }
        return [
            (name, max((newest[model] for model in models if newest[model]), default=None))
            for name, models in self.LISTS
        ]

    def location(self, item):
        return address(item[0])

    def lastmod(self, item):
        return item[1]


SITEMAPS = {"lists": ListSitemap(), "conditions": PageSitemap(Condition), "procedures": PageSitemap(Procedure)}


@require_safe
def sitemap_xml(request):
    return sitemap(request, SITEMAPS)
