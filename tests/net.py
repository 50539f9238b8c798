"""Small helpers every kind of test shares: a free loopback port and the CSRF token of a page."""

from __future__ import annotations

import re
import socket

# A form's hidden field (``name="csrf_token" ... value=``) or the page's meta tag
# (``name="csrf-token" content=``).
CSRF_RE = re.compile(r'name="csrf[_-]token"[^>]*(?:value|content)="([^"]+)"')


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def csrf_token_in(html: str) -> str:
    """The CSRF token a page carries; AssertionError when it carries none."""
    match = CSRF_RE.search(html)
    assert match, "the page carries no CSRF token"
    return match.group(1)
