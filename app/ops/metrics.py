"""Prometheus metrics: requests, latencies, issuance and queue depths.

Under gunicorn (several worker processes) set PROMETHEUS_MULTIPROC_DIR (infra/gunicorn.conf.py
does) so that every process's counters are summed on each scrape.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from flask import Flask, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from app.db import db
from app.jobs import depths
from app.models.reviews import Review, ReviewStatus

log = logging.getLogger(__name__)
REQUESTS = Counter(
    "microcred_http_requests_total", "HTTP requests", ["method", "endpoint", "status"]
)
LATENCY = Histogram(
    "microcred_http_request_seconds",
    "HTTP request latency",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
BADGES_ISSUED = Counter("microcred_badges_issued_total", "Badges issued")
BADGES_REVOKED = Counter("microcred_badges_revoked_total", "Badges revoked")


class QueueCollector:
    """Queue depths and waiting reviews, read at scrape time."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Any:
        from sqlalchemy import func, select

        with self.app.app_context():
            jobs = GaugeMetricFamily("microcred_jobs", "Background jobs by state", labels=["state"])
            if self.app.extensions["settings"].redis_url:
                try:
                    for state, count in depths().items():
                        jobs.add_metric([state], count)
                except Exception:  # Redis down: no figures rather than no page
                    log.warning("queue depths unavailable: Redis does not answer")
            yield jobs
            waiting = db.session.scalar(
                select(func.count(Review.id)).where(Review.status == ReviewStatus.QUEUED.value)
            )
            yield GaugeMetricFamily(
                "microcred_reviews_waiting", "Reviews waiting for a reviewer", value=waiting or 0
            )
            db.session.remove()


def install(app: Flask) -> None:
    @app.before_request
    def start_timer() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def record(response: Any) -> Any:
        started = g.get("started")
        if started is not None and request.endpoint != "ops.metrics_page":
            endpoint = request.endpoint or "unmatched"
            REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
            LATENCY.labels(endpoint).observe(time.perf_counter() - started)
        return response


def render(app: Flask) -> tuple[bytes, str]:
    registry = CollectorRegistry()
    # prometheus_client chose its mode from this variable when it was imported; ask the same.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # noqa: TID251
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        from prometheus_client import REGISTRY

        registry = REGISTRY
    extra = CollectorRegistry()
    extra.register(QueueCollector(app))
    return generate_latest(registry) + generate_latest(extra), CONTENT_TYPE_LATEST
