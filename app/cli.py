"""Flask CLI commands: seed-demo and maintenance."""

from __future__ import annotations

import os

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from app import demo
from app.communities import threads as community_threads
from app.credit import cycles, ledger
from app.db import unit_of_work
from app.issuance import bulk
from app.jobs import queue
from app.learning import reminders
from app.reviews import routing
from app.storage import S3Storage, storage
from app.submissions import service as submissions


@click.command("cleanup-evidence")
@click.option("--min-age", default=3600, show_default=True, help="seconds an object must be old")
@click.option("--dry-run", is_flag=True, help="list what would be removed")
@with_appcontext
def cleanup_evidence_command(min_age: int, dry_run: bool) -> None:
    """Remove stored evidence files that no submission record points at."""
    keys = submissions.orphaned_keys(min_age) + community_threads.orphaned_keys(min_age)
    for key in keys:
        if not dry_run:
            storage().delete(key)
        click.echo(("would remove " if dry_run else "removed ") + key)
    click.echo(f"{len(keys)} orphaned object(s){' found' if dry_run else ' removed'}.")


@click.command("allow-browser-uploads")
@with_appcontext
def allow_browser_uploads_command() -> None:
    """Let the site's pages upload large files straight to the S3 bucket (sets its CORS)."""
    store = storage()
    if not isinstance(store, S3Storage):
        raise click.ClickException("S3_BUCKET is not set: local storage needs no CORS rule.")
    origin = current_app.extensions["settings"].public_base_url
    store.allow_browser_uploads(origin)
    click.echo(f"Bucket {store.bucket} accepts browser uploads from {origin}.")


routing_cli = AppGroup("routing", help="Review routing: reminders, overdue reviews, queues.")


@routing_cli.command("sweep")
@click.option("--remind-hours", default=24, show_default=True, help="remind this long before due")
def routing_sweep_command(remind_hours: int) -> None:
    """Remind reviewers before due dates, reassign overdue reviews, route waiting ones.

    Safe from cron every minute on every instance at once (rows are claimed with SKIP LOCKED).
    """
    from datetime import timedelta

    with unit_of_work():
        report = routing.sweep(remind_before=timedelta(hours=remind_hours))
    click.echo(
        f"{report.reminded} reminded, {report.reassigned} reassigned, "
        f"{report.assigned} waiting review(s) assigned."
    )


credit_cli = AppGroup("credit", help="District credit: renewal cycles and re-verification.")


@credit_cli.command("roll-cycles")
def roll_cycles_command() -> None:
    """Close renewal cycles that have ended and open the next ones (cron-safe)."""
    with unit_of_work():
        count = cycles.roll_cycles()
    click.echo(f"{count} cycle(s) closed and renewed.")


@credit_cli.command("recheck")
def recheck_command() -> None:
    """Verify credited badges of other issuers again; reverse credit for revoked ones."""
    with unit_of_work():
        count = ledger.recheck_external()
    click.echo(f"{count} credit(s) reversed for revoked badges.")


learning_cli = AppGroup("learning", help="Personalized learning: checkpoint reminders.")


@learning_cli.command("remind")
@click.option(
    "--days",
    type=click.IntRange(min=0),
    default=None,
    help="remind this many days before a checkpoint [default: CHECKPOINT_REMIND_DAYS, 2]",
)
def learning_remind_command(days: int | None) -> None:
    """E-mail teachers before their action-research checkpoints, once per checkpoint.

    Safe from cron on every instance at once (rows are claimed with SKIP LOCKED).
    """
    with unit_of_work():
        report = reminders.sweep(days=days)
    click.echo(f"{report.reminded} checkpoint reminder(s) sent.")


def _children_die_with_parent() -> None:
    """Every process forked from here on receives SIGTERM when this one dies (Linux's
    PR_SET_PDEATHSIG, set in each child right after the fork); elsewhere, nothing."""
    import ctypes
    import ctypes.util
    import signal
    import sys

    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    pr_set_pdeathsig = 1

    def in_child() -> None:
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)

    os.register_at_fork(after_in_child=in_child)


@click.command("worker")
@click.option("--burst", is_flag=True, help="stop when the queue is empty")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run an RQ worker for the background jobs (needs REDIS_URL)."""
    from rq import SimpleWorker

    if not current_app.extensions["settings"].redis_url:
        raise click.ClickException("REDIS_URL is not set: jobs run inline, no worker is needed.")
    # SimpleWorker runs jobs in this process (no fork): the app, its pools and its app
    # context are set up once here and never shared with a forked child. The one child it
    # does fork, RQ's scheduler, must not outlive it (a SIGKILLed worker would leave it
    # running under PID 1, taking the scheduler lock): it gets SIGTERM when its parent dies.
    _children_die_with_parent()
    worker = SimpleWorker([queue()], connection=queue().connection)
    worker.work(burst=burst, with_scheduler=True, logging_level="INFO")


@click.command("recover-jobs")
@click.option("--stale", default=300, show_default=True, help="seconds without progress")
@with_appcontext
def recover_jobs_command(stale: int) -> None:
    """Queue again the bulk issuances whose worker died (no progress for --stale seconds)."""
    with unit_of_work():
        ids = bulk.recover(stale)
    click.echo(f"{len(ids)} bulk issuance(s) queued again.")


def register_cli(app: Flask) -> None:
    app.cli.add_command(demo.seed_demo_command)
    app.cli.add_command(cleanup_evidence_command)
    app.cli.add_command(allow_browser_uploads_command)
    app.cli.add_command(routing_cli)
    app.cli.add_command(credit_cli)
    app.cli.add_command(learning_cli)
    app.cli.add_command(worker_command)
    app.cli.add_command(recover_jobs_command)
