"""Background work through one interface.

``enqueue("name", *ids)`` runs the job registered under ``name`` once the current transaction
has committed:

- embedded default (no REDIS_URL): inline, in a fresh app context with its own unit of work,
  right after the commit; a failing job is logged and does not undo the request that queued it;
- with REDIS_URL: on RQ workers (``flask --app app worker``), retried with backoff (3 more
  tries after 10 s, 1 min and 5 min); a job that keeps failing lands in RQ's failed-job
  registry, which platform admins see and retry at /admin/jobs.

Jobs take ids, not objects, and are idempotent: running one twice does no harm.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

from app.db import after_commit, unit_of_work

log = logging.getLogger(__name__)
_JOBS: dict[str, Callable[..., Any]] = {}
JOB_TIMEOUT = 1800


def job(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        _JOBS[name] = func
        return func

    return register


def enqueue(name: str, *args: Any) -> None:
    enqueue_many(name, [args])


def enqueue_many(name: str, calls: list[tuple[Any, ...]]) -> None:
    """One job ``name(*args)`` per entry of ``calls``, queued together after the commit (one
    round trip to Redis for a whole batch, instead of one each)."""
    if name not in _JOBS:
        raise KeyError(f"no job named {name!r}")
    if not calls:
        return
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.extensions["settings"].redis_url:
        after_commit(lambda: _to_queue(app, name, calls))
    else:
        after_commit(lambda: [run(app, name, *args) for args in calls])


def _to_queue(app: Flask, name: str, calls: list[tuple[Any, ...]]) -> None:
    from rq import Queue, Retry

    intervals = list(app.extensions["settings"].job_retry_intervals)
    try:
        queue(app).enqueue_many(
            [
                Queue.prepare_data(
                    perform,
                    (name, *args),
                    retry=Retry(max=len(intervals), interval=intervals),
                    timeout=JOB_TIMEOUT,
                    description=f"{name}{args!r}"[:200],  # a batch job's args are long
                )
                for args in calls
            ]
        )
    except Exception:  # Redis is down: the data is committed; sweeps pick the work up again
        log.exception("could not queue %d job(s) %s", len(calls), name)


def queue(app: Flask | None = None) -> Any:
    """The app's RQ queue (one Redis connection pool per process)."""
    from redis import Redis
    from rq import Queue

    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get("rq_queue")
    if found is None:
        settings = app.extensions["settings"]
        connection = Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=3)
        found = Queue(settings.queue_name, connection=connection)
        app.extensions["rq_queue"] = found
    return found


def perform(name: str, *args: Any) -> Any:
    """What an RQ worker runs (inside the worker's app context): one unit of work. Errors
    propagate, so RQ retries the job and finally records it as failed."""
    with unit_of_work():
        return _JOBS[name](*args)


def run(app: Flask, name: str, *args: Any) -> Any:
    """Run a job now, in its own app context and transaction (inline mode)."""
    with app.app_context():
        try:
            with unit_of_work():
                return _JOBS[name](*args)
        except Exception:
            log.exception("job %s%r failed", name, args)
            return None


def failed_jobs(limit: int = 100) -> list[Any]:
    from rq.job import Job
    from rq.registry import FailedJobRegistry

    registry = FailedJobRegistry(queue=queue())
    ids = registry.get_job_ids(0, limit - 1)
    return [j for j in Job.fetch_many(ids, connection=queue().connection) if j is not None]


def retry_failed(job_id: str) -> None:
    from rq.registry import FailedJobRegistry

    FailedJobRegistry(queue=queue()).requeue(job_id)


def depths() -> dict[str, int]:
    """Queued, started and failed job counts (for /metrics)."""
    from rq.registry import FailedJobRegistry, StartedJobRegistry

    q = queue()
    return {
        "queued": len(q),
        "started": len(StartedJobRegistry(queue=q)),
        "failed": len(FailedJobRegistry(queue=q)),
    }
