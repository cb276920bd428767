"""Production smoke test: nginx (deploy/nginx.conf, with a throwaway certificate) in front of gunicorn
(deploy/gunicorn.conf.py) with debug off, on PostgreSQL.

It migrates and loads the demo into DATABASE_URL, runs collectstatic, starts gunicorn and nginx on
free 127.0.0.1 ports, fetches every public page, a static file and an uploaded image rendition, then
stops both and removes its temporary folder. About 25 requests, each with a timeout.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/smoke .venv/bin/python .ci/smoke.py
"""

import http.client
import os
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "localhost"
TIMEOUT = 10


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(*args, env):
    subprocess.run(args, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Site:
    def __init__(self, https_port, http_port, cafile):
        self.context = ssl.create_default_context(cafile=cafile)
        self.opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=self.context), NoRedirect)
        self.base = f"https://{HOST}:{https_port}"
        self.https_port, self.http_port, self.cafile = https_port, http_port, cafile
        self.requests = 0

    def get(self, path, status=200, **headers):
        self.requests += 1
        request = urllib.request.Request(self.base + path, headers=headers)
        try:
            response = self.opener.open(request, timeout=TIMEOUT)
        except urllib.error.HTTPError as error:
            response = error
        body = response.read()
        check(response.status == status, f"GET {path}: expected {status}, got {response.status}")
        print(f"  {response.status} {path}")
        return response, body

    def headers_only(self, method, path, port, tls, **headers):
        """Send a request's headers and no body; return the response status."""
        self.requests += 1
        if tls:
            connection = http.client.HTTPSConnection(HOST, port, timeout=TIMEOUT, context=self.context)
        else:
            connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
        connection.putrequest(method, path, skip_host="Host" in headers)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        connection.close()
        return response

    def tls_protocol(self):
        """The protocol nginx chooses when a browser offers HTTP/2 and HTTP/1.1."""
        self.requests += 1
        context = ssl.create_default_context(cafile=self.cafile)  # not self.context: urllib speaks HTTP/1.1 only
        context.set_alpn_protocols(["h2", "http/1.1"])
        with socket.create_connection((HOST, self.https_port), timeout=TIMEOUT) as sock:
            with context.wrap_socket(sock, server_hostname=HOST) as tls:
                return tls.selected_alpn_protocol()


def check(condition, message):
    if not condition:
        raise SystemExit(f"SMOKE TEST FAILED: {message}")


def nginx_version():
    output = subprocess.run(["nginx", "-v"], capture_output=True, text=True, check=True).stderr
    return tuple(int(part) for part in re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", output).groups())


def nginx_config(tmp, gunicorn_port, https_port, http_port, media_root):
    """deploy/nginx.conf with this run's ports, certificate, media folder and temporary paths."""
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    replacements = {
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{gunicorn_port};",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl;": f"listen 127.0.0.1:{https_port} ssl;",
        "patientinfo.example.org;": f"{HOST};",
        "/etc/letsencrypt/live/patientinfo.example.org/fullchain.pem": str(tmp / "cert.pem"),
        "/etc/letsencrypt/live/patientinfo.example.org/privkey.pem": str(tmp / "key.pem"),
        "/srv/patientinfo/media/": f"{media_root}/",
        "/var/cache/nginx/patientinfo": str(tmp / "nginx" / "cache"),
    }
    for old, new in replacements.items():
        check(old in site, f"deploy/nginx.conf no longer contains {old!r}; update .ci/smoke.py")
        site = site.replace(old, new)
    site = "\n".join(line for line in site.splitlines() if "[::]" not in line)  # IPv4 loopback only
    if nginx_version() < (1, 25, 1):
        # Older nginx (Debian 12 has 1.22) has no `http2 on;`: the file's own comment says what to write.
        check(re.search(r"^ *http2 on;.*$", site, re.MULTILINE), "deploy/nginx.conf no longer has `http2 on;`")
        site = re.sub(r"^ *http2 on;.*$", "", site, flags=re.MULTILINE)
        site = site.replace(f"listen 127.0.0.1:{https_port} ssl;", f"listen 127.0.0.1:{https_port} ssl http2;")
    temp = tmp / "nginx"
    return f"""
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    {site}
}}
"""


def wait_until_up(port, process, name):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        check(process.poll() is None, f"{name} exited early")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"SMOKE TEST FAILED: {name} did not start on port {port}")


def stop(process):
    if process and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main():
    database_url = os.environ.get("DATABASE_URL", "")
    check(database_url.startswith("postgres"), "set DATABASE_URL to a PostgreSQL database for the smoke test")
    tmp = Path(tempfile.mkdtemp(prefix="smoke-"))
    tmp.chmod(0o755)  # nginx's workers read the media folder
    media_root, static_root = tmp / "media", tmp / "static"
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="radiology_site.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
        SITE_URL=f"https://{HOST}",
        DJANGO_MEDIA_ROOT=str(media_root),
        DJANGO_STATIC_ROOT=str(static_root),
        DATABASE_URL=database_url,
    )
    gunicorn = nginx = None
    try:
        print("== check --deploy, migrate, load_demo, collectstatic (debug off)")
        run(BIN / "python", "manage.py", "check", "--deploy", "--fail-level", "WARNING", env=env)
        run(BIN / "python", "manage.py", "migrate", "--no-input", env=env)
        run(BIN / "python", "manage.py", "load_demo", env=env)
        run(BIN / "python", "manage.py", "collectstatic", "--no-input", env=env)

        gunicorn_port, https_port, http_port = free_port(), free_port(), free_port()
        print(f"== gunicorn on 127.0.0.1:{gunicorn_port}, nginx on 127.0.0.1:{https_port} (https)")
        gunicorn = subprocess.Popen(
            [BIN / "gunicorn", "-c", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{gunicorn_port}"]
            + ["--workers", "2", "--access-logfile", str(tmp / "access.log"), "radiology_site.wsgi"],
            cwd=ROOT,
            env=env,
        )
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={HOST}"]
            + ["-addext", f"subjectAltName=DNS:{HOST}", "-keyout", tmp / "key.pem", "-out", tmp / "cert.pem"],
            check=True,
            capture_output=True,
        )
        for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (tmp / "nginx" / folder).mkdir(parents=True)
        (tmp / "nginx.conf").write_text(nginx_config(tmp, gunicorn_port, https_port, http_port, media_root))
        nginx = subprocess.Popen(["nginx", "-c", tmp / "nginx.conf", "-e", tmp / "nginx-error.log"])
        wait_until_up(gunicorn_port, gunicorn, "gunicorn")
        wait_until_up(https_port, nginx, "nginx")
        fetch_everything(Site(https_port, http_port, cafile=tmp / "cert.pem"))
    finally:
        stop(nginx)
        stop(gunicorn)
        shutil.rmtree(tmp, ignore_errors=True)


def fetch_everything(site):
    print("== public pages")
    response, home = site.get("/")
    check(response.headers["Strict-Transport-Security"].startswith("max-age=31536000"), "no HSTS header")
    check("script-src 'self'" in response.headers["Content-Security-Policy"], "no Content-Security-Policy")
    check(response.headers["X-Content-Type-Options"] == "nosniff", "no nosniff")
    check(response.headers["Server"] == "nginx", f"nginx shows its version: {response.headers['Server']}")
    check(site.tls_protocol() == "h2", "nginx does not offer HTTP/2")
    print("  HTTP/2 offered, nginx version hidden")
    _, procedures = site.get("/procedures/")
    procedure_paths = sorted(set(re.findall(rb'href="(/procedures/[a-z0-9-]+/)"', procedures)))
    check(len(procedure_paths) == 8, f"expected the 8 demo procedures, found {len(procedure_paths)}")
    for path in procedure_paths:
        site.get(path.decode())
    site.get("/conditions/")
    _, condition = site.get("/conditions/bone-pain-from-cancer/")
    site.get("/search/?q=cement")
    _, missing = site.get("/no-such-page/", status=404)
    check(b"Page not found" in missing, "the 404 page is not the site's own")
    site.get("/admin/login/")

    print("== health checks")
    site.get("/healthz")
    _, ready = site.get("/readyz")
    check(ready.splitlines() == [b"Database(alias='default'): OK", b"Cache(alias='default'): OK"], f"/readyz: {ready}")

    print("== nginx caches public pages for visitors, never for staff")
    cache_status = [site.get("/conditions/")[0].headers["X-Cache-Status"] for _ in range(2)]
    check(cache_status[1] == "HIT", f"nginx did not serve a public page from its cache: {cache_status}")
    response, _ = site.get("/conditions/", Cookie="__Host-sessionid=whatever")
    check(response.headers["X-Cache-Status"] == "BYPASS", "nginx served a member of staff from its cache")
    check("no-store" in response.headers["Cache-Control"], "a page sent to staff may be kept by caches")
    print(f"  {' then '.join(cache_status)} for a visitor, BYPASS with a session cookie")

    print("== a static file, compressed, with a content-hashed name")
    stylesheet = re.search(rb'href="(/static/css/site\.[0-9a-f]{12}\.css)"', home)
    check(stylesheet, "the stylesheet has no hashed name: is collectstatic's manifest used?")
    response, _ = site.get(stylesheet.group(1).decode(), **{"Accept-Encoding": "gzip"})
    check(response.headers["Content-Encoding"] == "gzip", "WhiteNoise did not serve the compressed file")
    check("max-age=315360000" in response.headers["Cache-Control"], "hashed static files are not cached for long")
    check("Content-Security-Policy" in response.headers, "static files are served without the CSP header")

    print("== an uploaded image rendition, from nginx")
    srcset = re.search(rb'srcset="([^"]+)"', condition)
    check(srcset, "the condition page has no srcset")
    rendition = srcset.group(1).split(b",")[0].split()[0].decode()
    response, body = site.get(rendition)
    check(response.headers["Content-Type"] == "image/webp", "the rendition is not served as WebP")
    check(response.headers["X-Content-Type-Options"] == "nosniff", "media is served without nosniff")
    check(body[:4] == b"RIFF" and body[8:12] == b"WEBP", "the rendition is not a WebP file")
    site.get("/media/", status=403)  # no folder listings

    print("== plain HTTP is redirected, and oversize requests stop at nginx")
    # To the configured server name, whatever Host the request sent.
    response = site.headers_only("GET", "/search/?q=cement", site.http_port, tls=False, Host="evil.example")
    location = response.getheader("Location")
    check(response.status == 301 and location == f"https://{HOST}/search/?q=cement", f"HTTPS redirect to {location}")
    check(response.getheader("Server") == "nginx", "the HTTP redirect shows nginx's version")
    print(f"  301 http:// -> {location}")
    too_big = 41 * 1024 * 1024
    response = site.headers_only("POST", "/admin/login/", site.https_port, tls=True, **{"Content-Length": too_big})
    check(response.status == 413, f"a {too_big}-byte request got {response.status}, not 413")
    print(f"  413 for a {too_big}-byte request")
    print(f"== smoke test passed: {site.requests} requests")


if __name__ == "__main__":
    main()
