"""gunicorn in production: `gunicorn -c deploy/gunicorn.conf.py radiology_site.wsgi` (see README, "Deploying")."""

import multiprocessing

# Only nginx on this machine may connect: the site trusts the X-Forwarded-Proto and X-Real-IP
# headers that nginx sets, so nobody else may reach gunicorn to forge them.
bind = "127.0.0.1:8000"
# gunicorn's rule of thumb, capped so a big machine does not exhaust PostgreSQL connections.
workers = min(2 * multiprocessing.cpu_count() + 1, 9)
timeout = 30
graceful_timeout = 30
# Recycle workers now and then so that a slow leak never grows.
max_requests = 1000
max_requests_jitter = 100
# Heartbeat files on tmpfs: a slow disk must not make gunicorn think its workers hung.
worker_tmp_dir = "/dev/shm"
# systemd starts, reloads and stops gunicorn with signals; no control socket in the home folder.
control_socket_disable = True
accesslog = "-"
errorlog = "-"
