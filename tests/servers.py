"""Real servers for tests: a throwaway PostgreSQL cluster, and the site under gunicorn as in production.

The cluster is the tests' own (initdb into a temporary folder, on a free port), so a test may stop,
restart or freeze it; never the shared PostgreSQL on 5432. Tests that need one call
require_postgres(): they skip when PostgreSQL's server programs are not installed, unless
REQUIRE_SERVICE_TESTS=1 (as in CI), when they fail instead (tests/services.py).

    with throwaway_postgres() as postgres, gunicorn_server(free_port(), {"DATABASE_URL": postgres.url}) as site:
        assert site.client().get("/").status == 200
"""

import atexit
import functools
import http.client
import http.cookies
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from urllib.parse import urlencode

from tests.services import missing

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
STARTUP_SECONDS = 60  # for a server to start answering, or to stop


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(command, **kwargs):
    """Run a command, failing with its output if it fails."""
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode:
        raise RuntimeError(f"{' '.join(map(str, command))} exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return result


def children(pid):
    """The pids of a process's children, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue  # it ended meanwhile
        if parent == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def postgres_bin():
    """The folder of PostgreSQL's server programs (initdb, pg_ctl), or None. Debian keeps them off the PATH."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    folders = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda path: int(path.parent.name))
    return next((folder for folder in reversed(folders) if (folder / "initdb").exists()), None)


def postgres_user():
    """The account the cluster runs as: this one, or `postgres` for root, whom PostgreSQL refuses to run as."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        return None


def require_postgres():
    """Skip the test unless a throwaway cluster can be made here; fail instead under REQUIRE_SERVICE_TESTS."""
    reason = None
    if postgres_bin() is None:
        reason = "PostgreSQL's initdb is not installed (apt-get install postgresql)"
    elif os.geteuid() == 0 and postgres_user() is None:
        reason = "Running as root, and there is no `postgres` user to run a throwaway PostgreSQL cluster as"
    if reason:
        missing(reason)


class Postgres:
    """A throwaway PostgreSQL cluster on 127.0.0.1: start, stop, freeze, thaw, and its url."""

    def __init__(self, folder, port):
        self.folder, self.port = folder, port
        self.data = folder / "data"
        self.url = f"postgres://postgres@127.0.0.1:{port}/postgres"
        self.frozen = []

    def run(self, program, *args):
        user = postgres_user()
        run(
            [postgres_bin() / program, *args],
            cwd=self.folder,  # somewhere the postgres user may enter
            user=user and user.pw_uid,
            group=user and user.pw_gid,
            extra_groups=[] if user else None,
        )

    def start(self):
        self.run("pg_ctl", "start", "-D", self.data, "-l", self.folder / "server.log", "-w", "-t", str(STARTUP_SECONDS))

    @property
    def running(self):
        return (self.data / "postmaster.pid").exists()

    def stop(self, mode="fast"):
        """Stop the cluster; "fast" ends open connections, as a restart or a crash of the database server does."""
        self.run("pg_ctl", "stop", "-D", self.data, "-m", mode, "-w", "-t", str(STARTUP_SECONDS))

    def processes(self):
        """The postmaster's pid, then its children's (backends, checkpointer, WAL writer...)."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        return [postmaster, *children(postmaster)]

    def freeze(self):
        """Stop every process of the cluster with SIGSTOP: a hung server, whose kernel still accepts connections."""
        self.frozen = self.processes()
        for pid in self.frozen:  # the postmaster first, so that it forks nothing meanwhile
            os.kill(pid, signal.SIGSTOP)

    def thaw(self):
        for pid in reversed(self.frozen):
            os.kill(pid, signal.SIGCONT)
        self.frozen = []


@contextmanager
def throwaway_postgres():
    """A new PostgreSQL cluster of the tests' own, running until the block ends, then deleted."""
    require_postgres()
    folder = Path(tempfile.mkdtemp(prefix="throwaway-postgres-"))
    user = postgres_user()
    if user:
        os.chown(folder, user.pw_uid, user.pw_gid)
    postgres = Postgres(folder, free_port())
    try:
        postgres.run("initdb", "-D", postgres.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        with open(postgres.data / "postgresql.conf", "a") as conf:
            # Its own port and socket folder; durability is not needed for a cluster thrown away.
            conf.write(
                f"port = {postgres.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{folder}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            )
        postgres.start()
        yield postgres
    finally:
        postgres.thaw()
        if postgres.running:
            postgres.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


@functools.cache
def collected_static():
    """A STATIC_ROOT filled by collectstatic once per test session: with debug off, pages name the hashed files."""
    folder = Path(tempfile.mkdtemp(prefix="patientinfo-static-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    env = {**site_environment(), "DJANGO_STATIC_ROOT": str(folder)}
    run([BIN / "python", "manage.py", "collectstatic", "--no-input"], cwd=ROOT, env=env)
    return folder


def site_environment():
    """This process's environment without the site's settings, plus what any production-like run needs."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS"))}
    env.update(
        DJANGO_SETTINGS_MODULE="radiology_site.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        # Plain HTTP, with no nginx in front: no redirect to HTTPS, and cookies a client sends back over HTTP.
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
    )
    return env


@contextmanager
def gunicorn_server(port, env, migrate=True, workers=2):
    """The site under gunicorn (deploy/gunicorn.conf.py, debug off) on 127.0.0.1:port, until the block ends.

    env must hold DATABASE_URL and overrides any other variable; media and the file cache get folders of
    their own unless it names them. With migrate, the database is migrated and the demo loaded first
    (leave it off for a second server on the same database).
    """
    assert "DATABASE_URL" in env, "name the database the server is to use"
    folder = Path(tempfile.mkdtemp(prefix="gunicorn-"))
    env = {
        **site_environment(),
        "DJANGO_STATIC_ROOT": str(collected_static()),
        "DJANGO_MEDIA_ROOT": str(folder / "media"),
        "DJANGO_CACHE_DIR": str(folder / "cache"),
        **env,
    }
    site = Site(port, env, folder / "gunicorn.log")
    process = None
    try:
        if migrate:
            site.manage("migrate", "--no-input")
            site.manage("load_demo")
        with open(site.log_file, "wb") as log:
            process = subprocess.Popen(
                [BIN / "gunicorn", "-c", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"]
                + ["--workers", str(workers), "radiology_site.wsgi"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        site.pid = process.pid
        site.wait_until_up(process)
        yield site
    finally:
        if process is not None:
            process.terminate()  # gunicorn's graceful shutdown
            try:
                process.wait(timeout=STARTUP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(folder, ignore_errors=True)


class Site:
    """A running gunicorn server of the site: its address, environment, log and workers."""

    def __init__(self, port, env, log_file):
        self.port, self.env, self.log_file = port, env, log_file
        self.origin = f"http://127.0.0.1:{port}"
        self.pid = None

    def manage(self, *args, **env):
        """Run a manage.py command with this server's settings, and any more variables given."""
        run([BIN / "python", "manage.py", *args], cwd=ROOT, env={**self.env, **env})

    def create_superuser(self, username, password):
        self.manage(
            "createsuperuser",
            "--no-input",
            DJANGO_SUPERUSER_USERNAME=username,
            DJANGO_SUPERUSER_EMAIL=f"{username}@example.org",
            DJANGO_SUPERUSER_PASSWORD=password,
        )

    def client(self):
        return HttpClient(self.port)

    def log(self):
        return self.log_file.read_text(errors="replace")

    def workers(self):
        """The pids of gunicorn's worker processes: a worker it killed as timed out comes back with a new one."""
        return children(self.pid)

    def wait_until_up(self, process):
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.log()}")
            try:
                if self.client().get("/healthz", timeout=2).status == 200 and len(self.workers()) > 0:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer on port {self.port}:\n{self.log()}")


@dataclass
class Reply:
    status: int
    headers: Message
    text: str
    seconds: float  # how long the answer took


class HttpClient:
    """Plain HTTP requests to 127.0.0.1 that follow no redirect and keep cookies, like a browser on one site."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, fields, **kwargs):
        """POST form fields: a dict, or (name, value) pairs for names posted more than once."""
        body = urlencode(fields, doseq=True).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", **kwargs.pop("headers", {})}
        return self.request("POST", path, body=body, headers=headers, **kwargs)

    def request(self, method, path, body=None, headers=None, timeout=30):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {**(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        started = time.monotonic()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode(errors="replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in http.cookies.SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Reply(response.status, response.headers, text, time.monotonic() - started)
