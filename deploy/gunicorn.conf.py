"""gunicorn settings for Rallypoint (`gunicorn -c deploy/gunicorn.conf.py wsgi:app`).

Sync workers, as the app is written for (one request per worker at a time, each in its own
transaction). Values come from the environment (the systemd unit's EnvironmentFile) with these
defaults; a command-line flag overrides both.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
worker_class = "sync"
# A request slower than this is killed and its worker replaced; the slowest page is far below it.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM, workers finish the request in hand for up to this long before they are killed.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Recycle a worker now and then (jittered, so the four never restart together). Rarely: a new worker
# pays for its imports, first template renders and statement compiles again (seconds of CPU).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "50000"))
max_requests_jitter = 5000
# The reverse proxy on this machine is the only client; only it may say the request came over HTTPS.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
