"""`make bench`: the condition page, uncached and cached, against a trivial Django view under the same gunicorn.

One run, on loopback only, in a temporary folder it deletes: a fresh SQLite database with the demo content
(or DATABASE_URL, migrated and loaded with the demo), static files collected, a cache of its own. It starts
gunicorn twice with the site's settings (bench/settings.py only adds /hello/), debug off: once with
DJANGO_PAGE_CACHE_SECONDS=0 (uncached), once without it (cached). On each it loads /hello/ and then the
condition page, and reads the server's CPU time (utime + stime of gunicorn's master and workers, from /proc)
before and after each load. Queries per request are counted in-process, with the same environment.
Ratios, not absolute numbers, are what compare across machines.

Usage: .venv/bin/python bench/run.py (environment: DATABASE_URL, REDIS_URL, BENCH_SECONDS, default 10)
"""

import http.client
import json
import multiprocessing
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PAGE = "/conditions/bone-pain-from-cancer/"
HELLO = "/hello/"
WORKERS = 2
CONNECTIONS = 16
SECONDS = int(os.environ.get("BENCH_SECONDS") or 10)
WARM_UP_SECONDS = 2
# Each load runs in this many turns, alternating with the other path's, so that a machine that gets
# busier or quieter during the run weighs on both alike.
ROUNDS = 5
# As nginx passes requests on; without it the site would answer every request with a redirect to HTTPS.
HEADERS = {"X-Forwarded-Proto": "https"}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# (what, ratio name, limit, True if the ratio must be at least the limit rather than at most)
TARGETS = [
    ("cached throughput", "cached_rps", 0.8, True),
    ("cached CPU per request", "cached_cpu", 1.5, False),
    ("uncached CPU per request", "uncached_cpu", 8.0, False),
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(tmp):
    """The site's environment for the bench: debug off, a throwaway secret, everything in tmp."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "GUNICORN_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_MEDIA_ROOT=str(tmp / "media"),
        DJANGO_STATIC_ROOT=str(tmp / "static"),
        DJANGO_CACHE_DIR=str(tmp / "cache"),
        DATABASE_URL=os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{tmp / 'db.sqlite3'}",
    )
    return env


def manage(env, *args):
    subprocess.run([BIN / "python", "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def count_queries(env):
    output = subprocess.run(
        [BIN / "python", "-m", "bench.queries", HELLO, PAGE], cwd=ROOT, env=env, check=True, capture_output=True
    ).stdout
    return json.loads(output)


def cpu_seconds(pid):
    """utime + stime of one process, from /proc/<pid>/stat (fields 14 and 15 in proc(5))."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def children(pid):
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
        if parent == pid:
            found.add(int(stat.parent.name))
    return found


class Server:
    """gunicorn with WORKERS sync workers on a free loopback port, with no access log."""

    def __init__(self, env, log):
        self.port = free_port()
        self.log = log
        command = [BIN / "gunicorn", "-w", str(WORKERS), "-b", f"127.0.0.1:{self.port}", "radiology_site.wsgi"]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 30
        while len(children(self.process.pid)) < WORKERS or not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                sys.exit(f"gunicorn did not start; its log:\n{log.read_text()}")
            time.sleep(0.2)
        self.workers = children(self.process.pid)

    def answers(self):
        try:
            return get(self.port, HELLO)[0] == 200
        except OSError:
            return False

    def cpu_seconds(self):
        """The CPU time gunicorn has used so far, master and workers; refuses if a worker was replaced."""
        if children(self.process.pid) != self.workers:
            sys.exit(f"A gunicorn worker restarted during the bench, so its CPU time is lost; log:\n{self.log}")
        return sum(cpu_seconds(pid) for pid in {self.process.pid, *self.workers})

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def get(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=HEADERS)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wrk(port, path, seconds):
    """(requests, seconds) from wrk with keep-alive connections; gunicorn's sync workers close each one."""
    headers = [arg for name, value in HEADERS.items() for arg in ("-H", f"{name}: {value}")]
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", *headers, f"http://127.0.0.1:{port}{path}"]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return parse_wrk(output)


def parse_wrk(output):
    match = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m),", output)
    if not match or "Non-2xx or 3xx responses" in output or "timeout" in output.split("Socket errors", 1)[-1]:
        sys.exit(f"wrk reported failed requests:\n{output}")
    scale = {"us": 1e-6, "ms": 1e-3, "s": 1, "m": 60}[match[3]]
    return int(match[1]), float(match[2]) * scale


def python_client_loop(port, path, seconds):
    deadline = time.monotonic() + seconds
    count = 0
    while time.monotonic() < deadline:
        status, _ = get(port, path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        count += 1
    return count


def python_client(port, path, seconds):
    """(requests, seconds) from as many client processes as there are cores, one connection each."""
    processes = os.cpu_count() or 2
    started = time.monotonic()
    with multiprocessing.Pool(processes) as pool:
        counts = pool.starmap(python_client_loop, [(port, path, seconds)] * processes)
    return sum(counts), time.monotonic() - started


def measure(server, paths, load):
    """{path: req/s and CPU ms per request}, each path loaded for SECONDS in ROUNDS turns taken in rotation."""
    totals = {path: [0, 0.0, 0.0] for path in paths}  # requests, seconds, CPU seconds
    for path in paths:
        status, body = get(server.port, path)
        if status != 200:
            sys.exit(f"GET {path} answered {status}, not 200:\n{body[:500]!r}")
        load(server.port, path, WARM_UP_SECONDS)  # compiled templates, database connections, a filled cache
    for _ in range(ROUNDS):
        for path in paths:
            before = server.cpu_seconds()
            requests, seconds = load(server.port, path, max(1, round(SECONDS / ROUNDS)))
            cpu = server.cpu_seconds() - before
            totals[path] = [total + part for total, part in zip(totals[path], (requests, seconds, cpu), strict=True)]
    return {
        path: {"rps": requests / seconds, "cpu_ms": cpu / requests * 1000}
        for path, (requests, seconds, cpu) in totals.items()
    }


def ratios(results):
    hello_uncached, uncached = results["uncached"][HELLO], results["uncached"][PAGE]
    hello_cached, cached = results["cached"][HELLO], results["cached"][PAGE]
    return {
        "uncached_rps": uncached["rps"] / hello_uncached["rps"],
        "uncached_cpu": uncached["cpu_ms"] / hello_uncached["cpu_ms"],
        "cached_rps": cached["rps"] / hello_cached["rps"],
        "cached_cpu": cached["cpu_ms"] / hello_cached["cpu_ms"],
    }


def report(results, queries, setup):
    print()
    print(f"{'':44} {'req/s':>8} {'CPU ms/req':>11} {'queries/req':>12}")
    for mode in ("uncached", "cached"):
        for path, name in ((HELLO, f"hello view ({mode} server)"), (PAGE, f"condition page, {mode}")):
            row = results[mode][path]
            print(f"{name:44} {row['rps']:8.0f} {row['cpu_ms']:11.2f} {queries[mode][path]:12}")
    found = ratios(results)
    print()
    print("Against the hello view on the same server, in this run:")
    print(f"  uncached: {found['uncached_rps']:.3f}× the throughput, {found['uncached_cpu']:.1f}× the CPU per request")
    print(f"  cached:   {found['cached_rps']:.3f}× the throughput, {found['cached_cpu']:.1f}× the CPU per request")
    print()
    for what, name, limit, at_least in TARGETS:
        met = found[name] >= limit if at_least else found[name] <= limit
        print(f"  {'met    ' if met else 'NOT MET'}  {what}: {found[name]:.2f}× ({'≥' if at_least else '≤'} {limit}×)")
    print(f"\n{setup}")


def main():
    load, client = (wrk, f"wrk -t1 -c{CONNECTIONS}") if shutil.which("wrk") else (python_client, None)
    if client is None:
        client = f"a Python client ({os.cpu_count()} processes; wrk is not installed, so throughput is client-bound)"
    tmp = Path(tempfile.mkdtemp(prefix="patientinfo-bench-"))
    started = time.monotonic()
    try:
        env = environment(tmp)
        print("Preparing: migrate, load_demo, collectstatic…", flush=True)
        manage(env, "migrate", "--no-input")
        manage(env, "load_demo")
        manage(env, "collectstatic", "--no-input")
        results, queries = {}, {}
        for mode, page_cache in (("uncached", {"DJANGO_PAGE_CACHE_SECONDS": "0"}), ("cached", {})):
            server_env = {**env, **page_cache}
            queries[mode] = count_queries(server_env)
            server = Server(server_env, tmp / f"gunicorn-{mode}.log")
            try:
                print(f"Loading {HELLO} and {PAGE} in turns ({mode} server), {SECONDS} s each…", flush=True)
                results[mode] = measure(server, (HELLO, PAGE), load)
            finally:
                server.stop()
        database = env["DATABASE_URL"].split(":", 1)[0]
        cache = "Redis (REDIS_URL)" if env.get("REDIS_URL") else "the file cache"
        setup = (
            f"gunicorn -w {WORKERS} (sync workers, no access log), {client}, {SECONDS} s a load in {ROUNDS} "
            f"turns after {WARM_UP_SECONDS} s warm-up; {database}, {cache}; {os.cpu_count()} cores; "
            f"{time.monotonic() - started:.0f} s in all."
        )
        report(results, queries, setup)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
