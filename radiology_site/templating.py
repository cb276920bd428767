"""The Jinja2 environment of the public pages (templates/): Django's static files, URLs and date formats."""

from django.template.defaultfilters import date, pluralize, truncatechars
from django.templatetags.static import static
from jinja2 import Environment

from publishing.addresses import address


def environment(**options):
    env = Environment(**options)
    env.globals.update(static=static, url=address)
    env.filters.update(date=date, pluralize=pluralize, truncatechars=truncatechars)
    return env
