"""Services some tests need beyond Python: skipped when missing, unless REQUIRE_SERVICE_TESTS=1 (as in CI)."""

import os
import socket
from urllib.parse import urlsplit

import pytest

# The machines here run Redis on 127.0.0.1:6379; tests use their own database number and key prefixes.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")


def missing(reason):
    if os.environ.get("REQUIRE_SERVICE_TESTS") == "1":
        pytest.fail(f"{reason}, and REQUIRE_SERVICE_TESTS=1 says this test must run.")
    pytest.skip(reason)


def require_redis():
    """The Redis URL to test against; skips (or fails, in CI) when nothing answers there."""
    parts = urlsplit(REDIS_URL)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            answered = sock.recv(16).startswith(b"+PONG")
    except OSError:
        answered = False
    if not answered:
        missing(f"Redis does not answer at {REDIS_URL}")
    return REDIS_URL
