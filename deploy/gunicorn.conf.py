"""gunicorn settings for CareTrack in production: `gunicorn -c deploy/gunicorn.conf.py caretrack.wsgi:application`
(`make serve` and deploy/caretrack.service run exactly that). Each value can be changed from the environment
(deploy/caretrack.env.example) without editing this file."""

import multiprocessing
import os

# 127.0.0.1 when nginx runs on the same machine; 0.0.0.0:8000 (or this server's private address) when one
# nginx in front balances several app servers.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers: the app is plain request/response (no websockets, no long polling). Twice the cores plus
# one is gunicorn's own advice; each worker holds one PostgreSQL connection (CONN_MAX_AGE), so count them
# against PostgreSQL's max_connections (100 by default) across all app servers.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))

# A 工作总结 PDF or a whole school's 台账 takes a few seconds; a roster import is bounded well inside this.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30  # a restart lets requests in flight finish (systemctl reload: HUP)
keepalive = 5  # seconds an idle connection from nginx stays open

# Recycle each worker now and then, staggered, so that a slow leak never reaches the machine's memory.
max_requests = 2000
max_requests_jitter = 200

# Which addresses may tell gunicorn the original scheme (X-Forwarded-Proto): the nginx in front. Django's
# own settings read the client's address (TRUSTED_PROXY_COUNT) and the scheme (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs on stderr: journald keeps them (journalctl -u caretrack).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# No client address in the access log lines: nginx's own log has it, with the real one.
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'
