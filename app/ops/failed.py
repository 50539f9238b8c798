"""The failed-job page's data: one page of RQ's failed registry, in a fixed number of Redis
round trips (the registry's count and ids, then one pipeline for the jobs and one for their
last errors), however many jobs have failed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.jobs import queue
from app.pagination import Page, PageArgs

ERROR_CHARS = 300


@dataclass(frozen=True)
class FailedJob:
    id: str
    description: str
    ended_at: datetime | None
    error: str  # the end of the last traceback


def failed_page(args: PageArgs) -> Page[FailedJob]:
    """One page of the failed jobs, the longest-failed first (the registry's order: by expiry,
    then by id, so pages are stable while no job fails or is retried in between)."""
    from rq.job import Job
    from rq.registry import FailedJobRegistry
    from rq.results import Result

    q = queue()
    registry = FailedJobRegistry(queue=q)
    total = registry.get_job_count()  # drops expired entries first
    ids = registry.get_job_ids(args.offset, args.offset + args.per_page - 1, cleanup=False)
    jobs = [j for j in Job.fetch_many(ids, connection=q.connection) if j is not None]
    with q.connection.pipeline(transaction=False) as pipe:
        for job in jobs:
            # rq 3.0 leaves Result.get_key unannotated
            pipe.xrevrange(Result.get_key(job.id), "+", "-", count=1)  # type: ignore[no-untyped-call]
        latest: list[Any] = pipe.execute() if jobs else []
    items = []
    for job, found in zip(jobs, latest, strict=True):
        error = ""
        if found:
            result_id, payload = found[0]
            result = Result.restore(job.id, result_id.decode(), payload, connection=q.connection)
            error = result.exc_string or ""
        items.append(
            FailedJob(job.id, job.description or job.id, job.ended_at, error[-ERROR_CHARS:])
        )
    return Page(items, args.page, args.per_page, total, args.prefix)
