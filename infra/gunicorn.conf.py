"""gunicorn settings for the app: `gunicorn -c infra/gunicorn.conf.py 'app:create_app()'`.

Every value can be overridden from the environment (WEB_CONCURRENCY, GUNICORN_BIND, ...).
"""

import multiprocessing
import os
import shutil
import tempfile

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Workers from the CPU count: (2 x cores) + 1, the usual rule for I/O-bound web apps.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))  # a stuck request is restarted
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))  # SIGTERM: finish up
keepalive = 5
# The app is imported once, before forking: a worker starts in milliseconds instead of
# paying about a second of CPU to import and build the app (and shares those pages).
# post_fork gives each worker its own database connections.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") == "1"
# Recycling a worker costs a fork and cold caches (parsed keys, checked documents). Off by
# default; set GUNICORN_MAX_REQUESTS (e.g. 100000) to recycle now and then anyway, with a
# 10% jitter so workers never restart together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
# X-Forwarded-* are trusted only from these addresses (the load balancer); the app's own
# TRUSTED_PROXIES setting applies them.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None  # the app writes one JSON line per request itself
errorlog = "-"
worker_tmp_dir = os.environ.get(
    # gunicorn heartbeats in this folder; a RAM-backed one keeps a read-only root file system
    # and slow disks out of the way.
    "GUNICORN_WORKER_TMP_DIR",
    "/dev/shm" if os.path.isdir("/dev/shm") else None,  # noqa: S108 - gunicorn's documented choice
)

# Prometheus counters from every worker process are summed on each scrape.
_metrics_dir = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR",
    os.path.join(tempfile.gettempdir(), f"microcred-metrics-{os.getpid()}"),
)


def on_starting(server):
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    os.makedirs(_metrics_dir, exist_ok=True)


def post_fork(server, worker):
    """A preloaded app's connection pools were made in the master: start each worker with
    empty ones (``close=False`` leaves the master's connections to the master)."""
    if not preload_app:
        return
    app = server.app.wsgi()
    with app.app_context():
        from app.db import db

        for engine in db.engines.values():
            engine.dispose(close=False)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
