"""The Jinja2 environment of the public pages (templates/): Django's static files, URLs and date formats, JSON-LD."""

from django.template.defaultfilters import date, pluralize, truncatechars
from django.templatetags.static import static
from jinja2 import Environment

from feedback.protection import form_token
from publishing.addresses import address
from publishing.structured_data import json_ld


def environment(**options):
    env = Environment(**options)
    env.globals.update(feedback_token=form_token, static=static, url=address)
    env.filters.update(date=date, json_ld=json_ld, pluralize=pluralize, truncatechars=truncatechars)
    return env
