"""Outgoing e-mail: SMTP when SMTP_HOST is set, the console otherwise (development).

Mail sent while handling a request waits for the transaction to commit (``after_commit``), so
a request that fails and rolls back never mails anyone.
"""

from __future__ import annotations

import logging
import smtplib
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeAlias

from flask import current_app, render_template
from flask_babel import LazyString
from sqlalchemy import select

from app import i18n
from app.config import Settings
from app.db import db
from app.jobs import enqueue, job
from app.models.accounts import User

log = logging.getLogger(__name__)


def build_message(settings: Settings, to: str, subject: str, text: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    return message


def deliver(settings: Settings, message: EmailMessage) -> None:
    """Send now. Without an SMTP host the message is printed to the log instead. In
    development every message is also kept in the outbox that /dev/mail lists."""
    if settings.is_development:
        keep_in_outbox(settings, message)
    if not settings.smtp_host:
        if settings.is_production:  # logs hash addresses; a lost mail is worth a warning
            log.warning("mail not sent: SMTP_HOST is unset (%s)", message["Subject"])
            return
        # Development: the mail as a person reads it (plain text, links intact, the real
        # recipient), on the console, so a sign-up link can be copied from it.
        part = message.get_body(preferencelist=("plain",))
        body = part.get_content() if part is not None else ""
        sys.stderr.write(
            f"\n----- mail (SMTP_HOST unset: printed, not sent) -----\n"
            f"To: {message['To']}\nSubject: {message['Subject']}\n\n{body}\n"
            "----- end of mail -----\n"
        )
        sys.stderr.flush()
        return
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(message)


# A subject is marked for translation with ``lazy_gettext`` (``_l("...", name=value)``) so
# that it is put into words in the recipient's language, like the body.
Subject: TypeAlias = str | LazyString


def send_mail(to: str, subject: Subject, template: str, **context: Any) -> None:
    """Render ``templates/mail/<template>.txt`` now, in the recipient's language; send it once
    the transaction commits, as a background job (inline, or on a worker with retries when
    Redis is configured)."""
    send_mails([(to, subject, template, context)])


def send_mails(messages: list[tuple[str, Subject, str, dict[str, Any]]]) -> None:
    """Many ``(to, subject, template, context)`` messages, sent by one job (a bulk issuance
    tells 200 earners with one job rather than 200); a message that fails is given a job of
    its own, with the usual retries, so nobody gets a message twice.

    Each message is rendered in its recipient's saved language (one query for the whole
    batch); an address without an account gets the current request's language (English
    outside a request)."""
    settings: Settings = current_app.extensions["settings"]
    languages = recipient_languages([to for to, _subject, _template, _context in messages])
    fallback = i18n.current()
    rendered = []
    for to, subject, template, context in messages:
        with i18n.speaking(languages.get(to.strip().lower()) or fallback):
            text = render_template(f"mail/{template}.txt", settings=settings, **context)
            rendered.append((to, str(subject), text))
    if len(rendered) == 1:
        enqueue("send-mail", *rendered[0])
    elif rendered:
        enqueue("send-mails", rendered)


def recipient_languages(addresses: list[str]) -> dict[str, str]:
    """The saved language of each address that has an account and chose one (lower-cased
    address -> language), in one query."""
    wanted = {address.strip().lower() for address in addresses}
    if not wanted:
        return {}
    rows = db.session.execute(
        select(User.email, User.locale).where(User.email.in_(wanted), User.locale.is_not(None))
    )
    return {email: language for email, locale in rows if (language := i18n.chosen(locale))}


@job("send-mails")
def send_mails_job(messages: list[tuple[str, str, str]]) -> None:
    settings: Settings = current_app.extensions["settings"]
    for to, subject, text in messages:
        try:
            deliver(settings, build_message(settings, to, subject, text))
        except (OSError, smtplib.SMTPException):
            log.warning("could not send mail %r now; it gets a job of its own", subject)
            enqueue("send-mail", to, subject, text)


@job("send-mail")
def send_mail_job(to: str, subject: str, text: str) -> None:
    settings: Settings = current_app.extensions["settings"]
    message = build_message(settings, to, subject, text)
    try:
        deliver(settings, message)
    except (OSError, smtplib.SMTPException):
        if settings.redis_url:
            raise  # the worker retries with backoff
        log.exception("could not send mail %r", subject)


# The development outbox ---------------------------------------------------------------------

OUTBOX_KEEP = 50


def outbox_folder(settings: Settings) -> Path:
    """Where development keeps sent mail: files, so the web process, a worker and the CLI
    share one outbox."""
    return settings.instance_path / "dev-mail"


def keep_in_outbox(settings: Settings, message: EmailMessage) -> None:
    """Keep ``message`` as an .eml file (the latest OUTBOX_KEEP stay). Development only."""
    if not settings.is_development:
        return
    folder = outbox_folder(settings)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.eml"
    (folder / name).write_bytes(message.as_bytes())
    for old in sorted(folder.glob("*.eml"))[:-OUTBOX_KEEP]:
        old.unlink(missing_ok=True)


@dataclass(frozen=True)
class SentMail:
    to: str
    subject: str
    sent_at: datetime
    text: str  # the plain-text body, decoded


def outbox(settings: Settings) -> list[SentMail]:
    """The mail kept in development, newest first, decoded as a person reads it."""
    folder = outbox_folder(settings)
    if not settings.is_development or not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.eml"), reverse=True):
        try:
            raw = path.read_bytes()
        except FileNotFoundError:  # pruned meanwhile by another process
            continue
        message = message_from_bytes(raw, policy=policy.default)
        part = message.get_body(preferencelist=("plain",))
        found.append(
            SentMail(
                to=str(message["To"] or ""),
                subject=str(message["Subject"] or ""),
                sent_at=datetime.fromtimestamp(int(path.name[:20]) / 1e9, tz=UTC),
                text=part.get_content() if part is not None else "",
            )
        )
    return found
