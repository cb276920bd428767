"""deploy/nginx.conf, read as text; `make smoke` runs it for real."""

import re

from tests.test_settings import ROOT

CONF = (ROOT / "deploy" / "nginx.conf").read_text()


def servers():
    """Each `server { ... }` block's text, without comments."""
    text = re.sub(r"#.*", "", CONF)
    return re.findall(r"^server \{$(.*?)^\}$", text, re.MULTILINE | re.DOTALL)


def test_http2_is_turned_on_the_way_nginx_1_25_asks():
    https = servers()[1]
    assert re.search(r"^\s*http2 on;\s*$", https, re.MULTILINE)
    assert not re.search(r"listen[^;]*http2", https)


def test_plain_http_redirects_to_the_server_name_not_the_request_host():
    http = servers()[0]
    assert "return 301 https://$server_name$request_uri;" in http
    assert "$host" not in http


def test_nginx_hides_its_version_everywhere():
    assert all("server_tokens off;" in server for server in servers())


def test_media_sends_no_hsts_of_its_own_to_drift_from_djangos():
    assert "Strict-Transport-Security" not in re.sub(r"#.*", "", CONF)
