"""Page addresses are reversed once, but never given for another slug or script prefix."""

import pytest
from django.urls import NoReverseMatch, get_script_prefix, set_script_prefix

from publishing.addresses import address


def test_an_address_is_reverse_for_each_slug():
    assert address("conditions:detail", slug="bone-pain") == "/conditions/bone-pain/"
    assert address("conditions:detail", slug="back-pain") == "/conditions/back-pain/"
    assert address("home") == "/"


def test_a_site_served_under_a_prefix_gets_prefixed_addresses():
    before = get_script_prefix()
    assert address("procedures:detail", slug="nerve-block") == "/procedures/nerve-block/"
    set_script_prefix("/radiology/")
    try:
        assert address("procedures:detail", slug="nerve-block") == "/radiology/procedures/nerve-block/"
    finally:
        set_script_prefix(before)


def test_an_unknown_page_or_bad_slug_is_refused_as_reverse_would():
    with pytest.raises(NoReverseMatch):
        address("conditions:detail", slug="not a slug")
    with pytest.raises(NoReverseMatch):
        address("no-such-page")


def test_static_addresses_follow_a_change_of_static_url(settings):
    from radiology_site.templating import static_address

    assert static_address("css/site.css") == "/static/css/site.css"
    settings.STATIC_URL = "/assets/"
    assert static_address("css/site.css") == "/assets/css/site.css"
