"""Deadlines for PostgreSQL, so that a database that hangs is treated like one that is down.

libpq's connect_timeout covers only new connections, and the server's statement_timeout only a
server that is still running. A frozen server (stopped by a signal, a stalled disk, a paused VM)
still has its TCP connections acknowledged by the kernel, so keepalives never fire and a query on
an established connection waits in poll() for ever, until gunicorn kills the worker. psycopg2 lets
a wait callback do all of its waiting ("green" mode); ours waits with a deadline and, when it
passes, raises OperationalError. psycopg2 then closes the connection (its green_panic()), so Django
finds it unusable, discards it and connects afresh on the next request.

Installed by RadiologySiteConfig.ready() when the database is PostgreSQL; SQLite is untouched.
"""

import select
import time
from functools import partial

import psycopg2
from django.db import InterfaceError, OperationalError
from psycopg2 import extensions

# The server's own statement_timeout reports first on a server that is running (leaving the
# connection usable); the client's deadline, this much later, is for a server that cannot answer.
ANSWER_GRACE_SECONDS = 1


def install(connect_timeout, query_timeout):
    """Give up on any psycopg2 connection or query in this process that gets no answer in time (seconds)."""
    answer_timeout = query_timeout + ANSWER_GRACE_SECONDS if query_timeout else None
    extensions.set_wait_callback(partial(wait, connect_timeout=connect_timeout, answer_timeout=answer_timeout))


def wait(connection, connect_timeout, answer_timeout):
    """psycopg2's wait callback: psycopg2.extras.wait_select() with a deadline."""
    connecting = connection.status == extensions.STATUS_SETUP
    timeout = connect_timeout if connecting else answer_timeout
    deadline = None if timeout is None else time.monotonic() + timeout
    while (state := connection.poll()) != extensions.POLL_OK:
        # A new poll object each time: libpq may move to another socket while it connects.
        poller = select.poll()
        poller.register(connection.fileno(), select.POLLIN if state == extensions.POLL_READ else select.POLLOUT)
        remaining = None if deadline is None else max(deadline - time.monotonic(), 0)
        if not poller.poll(None if remaining is None else remaining * 1000):
            doing = "connect" if connecting else "answer"
            raise psycopg2.OperationalError(f"The database did not {doing} within {timeout:g} seconds.")


def unavailable(error):
    """Whether the database being unreachable (down, hung, restarting) is behind this error or its causes."""
    while error is not None:
        if isinstance(error, OperationalError | InterfaceError):
            return True
        error = error.__cause__ or error.__context__
    return False
