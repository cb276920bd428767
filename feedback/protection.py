"""What keeps the feedback form's posts honest without a cookie: the sending page's origin, a signed
time-stamped form token, and a limit per address kept in the cache.

Django's CSRF protection needs a cookie, and a public page must set none (it would stop the page being
cached and shared). A cross-site forgery here could only make someone's browser send feedback, and the
browser says where a form came from: a post must carry an Origin (or, failing that, a Referer) of this
site. The token in the form is the same for every visitor, so the cached page stays shareable: it signs
the form's address and the hour the page was rendered, so a form scraped once stops working after a
while, and a post must come from a form this site rendered for that page.
"""

import hashlib
import hmac
import ipaddress
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.cache import cache

from radiology_site.middleware import client_ip

_SALT = "feedback.form"
# Tokens name the hour they were made in, so the page's HTML (and its ETag) stays the same all hour.
TOKEN_PERIOD_SECONDS = 3600


def form_token(action, now=None):
    """The token of the feedback form posting to action, for pages rendered now."""
    now = time.time() if now is None else now
    # Signer, not signing.dumps(), which would add the second it signed at and change the page every second.
    return signing.Signer(salt=_SALT).sign_object([action, int(now // TOKEN_PERIOD_SECONDS * TOKEN_PERIOD_SECONDS)])


def token_max_age():
    """How old a form's token may be: as long as a cached page can be shown, and a day to read it in."""
    return (
        TOKEN_PERIOD_SECONDS
        + settings.PAGE_CACHE_SECONDS
        + settings.HTTP_MAX_AGE_SECONDS
        + settings.HTTP_STALE_WHILE_REVALIDATE_SECONDS
        + 24 * 3600
    )


class TokenProblem(Exception):
    pass


class TokenExpired(TokenProblem):
    pass


def check_token(token, action, now=None):
    """Raise TokenProblem unless token is a form token for action that is not too old."""
    now = time.time() if now is None else now
    try:
        signed_action, issued = signing.Signer(salt=_SALT).unsign_object(token or "")
    except (signing.BadSignature, ValueError, TypeError):
        raise TokenProblem("not a token of this site") from None
    if signed_action != action or not isinstance(issued, int) or issued > now:
        raise TokenProblem("a token for another form")
    if now - issued > token_max_age():
        raise TokenExpired("too old")


def sent_from_this_site(request):
    """Whether the browser says the post came from one of this site's pages (Origin, else Referer)."""
    origin = request.headers.get("Origin")
    if origin is None:
        referer = urlsplit(request.headers.get("Referer", ""))
        origin = f"{referer.scheme}://{referer.netloc}" if referer.scheme and referer.netloc else None
    if not origin or origin == "null":
        return False
    return origin in {f"{request.scheme}://{request.get_host()}", settings.SITE_URL, *settings.CSRF_TRUSTED_ORIGINS}


class RateLimitUnavailable(Exception):
    """The cache holding the counts is down: feedback is refused rather than let a flood through."""


def within_rate_limit(request, now=None):
    """Count this post against its address; False once the address has sent FEEDBACK_RATE_LIMIT in the window."""
    window = settings.FEEDBACK_RATE_LIMIT_SECONDS
    now = time.time() if now is None else now
    key = f"feedback-posts:{_address_key(request)}:{int(now // window)}"
    try:
        if cache.add(key, 1, timeout=window):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # it expired between the two calls
                cache.add(key, 1, timeout=window)
                count = 1
    except Exception as error:
        raise RateLimitUnavailable from error
    return count <= settings.FEEDBACK_RATE_LIMIT


def seconds_until_next_window(now=None):
    window = settings.FEEDBACK_RATE_LIMIT_SECONDS
    now = time.time() if now is None else now
    return int(window - now % window) + 1


def _address_key(request):
    """The visitor's address as a keyed hash, so that not even the cache holds it. IPv6: its /64 network,
    which one household or phone is given whole."""
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        parsed = None
    if parsed is not None and parsed.version == 6 and parsed.ipv4_mapped is None:
        address = str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    elif parsed is not None and parsed.version == 6:
        address = str(parsed.ipv4_mapped)
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]
