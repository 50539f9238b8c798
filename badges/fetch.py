"""Fetching Open Badges documents over HTTP, safely, through an injectable fetcher.

SafeFetcher refuses private, loopback, link-local and other non-public addresses unless told
otherwise (``allow_private=True``, or ``BADGES_ALLOW_PRIVATE_HOSTS=1`` through
:func:`allow_private_from_env`), caps sizes and redirects, and accepts only JSON.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import os
import socket
import ssl
import threading
import time
from collections import OrderedDict
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

from badges.errors import BadgeError, FetchError, Gone, gone_reason, json_object

MAX_DOCUMENT_BYTES = 1024 * 1024
DOCUMENT_SECONDS = 5.0  # the most one document may take, connect to last byte
ACCEPT = "application/ld+json, application/json"


class Fetcher(Protocol):
    def fetch_json(self, url: str, *, deadline: float | None = None) -> dict[str, Any]:
        """The JSON object at ``url``; ``deadline`` is a ``time.monotonic()`` instant by which
        the fetch must be over (FetchError after it)."""
        ...


def allow_private_from_env() -> bool:
    # For the `badges` command only (badges/cli.py); the library itself takes allow_private=.
    return os.environ.get("BADGES_ALLOW_PRIVATE_HOSTS", "") in ("1", "true", "yes")  # noqa: TID251


class StaticFetcher:
    """Documents already at hand (offline verification, tests, benchmarks)."""

    def __init__(self, documents: dict[str, dict[str, Any]]) -> None:
        self.documents = documents

    def fetch_json(self, url: str, *, deadline: float | None = None) -> dict[str, Any]:
        if url not in self.documents:
            raise FetchError(f"{url} is not available offline")
        return self.documents[url]


class CachingFetcher:
    """Remembers documents another fetcher returned, for ``ttl`` seconds, at most ``max_entries``.

    A fetcher that reports a document's own lifetime (``SafeFetcher.last_max_age``, from
    ``Cache-Control``) shortens the time; ``no-store`` documents are not kept, and neither are
    revocation lists (a revoked badge must fail at once). Thread-safe.
    """

    never_cached = frozenset({"RevocationList"})

    def __init__(self, inner: Fetcher, *, ttl: float = 300.0, max_entries: int = 1000) -> None:
        self.inner = inner
        self.ttl = ttl
        self.max_entries = max_entries
        self.cache: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()
        self.lock = threading.Lock()
        self.misses = 0

    def fetch_json(self, url: str, *, deadline: float | None = None) -> dict[str, Any]:
        now = time.monotonic()
        with self.lock:
            hit = self.cache.get(url)
            if hit is not None and hit[0] > now:
                self.cache.move_to_end(url)
                return hit[1]
        document = self.inner.fetch_json(url, deadline=deadline)
        lifetime = self.ttl
        max_age = getattr(self.inner, "last_max_age", None)
        if isinstance(max_age, int | float):
            lifetime = min(lifetime, float(max_age))
        if document.get("type") in self.never_cached:
            lifetime = 0
        with self.lock:
            self.misses += 1
            if lifetime > 0:
                self.cache[url] = (now + lifetime, document)
                self.cache.move_to_end(url)
                while len(self.cache) > self.max_entries:
                    self.cache.popitem(last=False)
        return document


def _max_age(cache_control: str | None) -> float | None:
    """Seconds a response may be kept: 0 for no-store/no-cache, None when unsaid."""
    if not cache_control:
        return None
    directives = [d.strip().lower() for d in cache_control.split(",")]
    if "no-store" in directives or "no-cache" in directives:
        return 0.0
    for directive in directives:
        if directive.startswith("max-age="):
            value = directive.removeprefix("max-age=")
            return float(value) if value.isdigit() else None
    return None


class _PinnedConnection(http.client.HTTPSConnection):
    """An HTTP(S) connection to ``address``, the IP that was vetted, never to a second DNS
    answer for the host name; TLS still checks the certificate against the host name."""

    def __init__(
        self, host: str, port: int, address: str, timeout: float, tls: ssl.SSLContext | None
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=tls or ssl.create_default_context())
        self.address = address
        self.tls = tls
        self.was_cut = False

    def cut(self) -> None:
        """End the connection now (from the watchdog thread)."""
        self.was_cut = True
        sock = self.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = sock  # visible to the watchdog during the TLS handshake too
        if self.tls is not None:
            self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


class SafeFetcher:
    """Fetches JSON over HTTP(S) from public addresses only, within a total time per document.

    ``timeout`` bounds each document from connect to last byte (a server that trickles a byte
    every few seconds is cut off then); a caller's ``deadline`` can shorten it further.
    """

    def __init__(
        self,
        *,
        allow_private: bool = False,
        timeout: float = DOCUMENT_SECONDS,
        max_bytes: int = MAX_DOCUMENT_BYTES,
        max_redirects: int = 3,
        allow_hosts: frozenset[str] = frozenset(),
    ) -> None:
        self.allow_private = allow_private
        # "host:port" pairs allowed even when private (a narrower allowance than allow_private).
        self.allow_hosts = allow_hosts
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.tls = ssl.create_default_context()
        # Cache-Control lifetime of the last response on this thread (read by CachingFetcher).
        self._local = threading.local()

    @property
    def last_max_age(self) -> float | None:
        value: float | None = getattr(self._local, "max_age", None)
        return value

    def check_address(self, host: str, port: int) -> str:
        """The IP to connect to, refusing non-public ones unless allowed."""
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as error:
            raise FetchError(f"the host {host} cannot be resolved") from error
        addresses = [str(info[4][0]) for info in infos]
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%")[0])
            if (
                not self.allow_private
                and not ip.is_global
                and f"{host}:{port}" not in self.allow_hosts
            ):
                raise FetchError(
                    f"{host} resolves to a private or reserved address ({ip}); refused. "
                    "Set BADGES_ALLOW_PRIVATE_HOSTS=1 to allow intranet hosts."
                )
        return addresses[0]

    def fetch_json(self, url: str, *, deadline: float | None = None) -> dict[str, Any]:
        own = time.monotonic() + self.timeout
        until = own if deadline is None else min(own, deadline)
        slow = _too_slow(url, self.timeout) if until == own else _out_of_time(url)
        for _ in range(self.max_redirects + 1):
            remaining = until - time.monotonic()
            if remaining <= 0:
                raise FetchError(slow)
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise FetchError(f"only http(s) URLs can be fetched, not {url[:100]}")
            port = parts.port or (443 if parts.scheme == "https" else 80)
            address = self.check_address(parts.hostname, port)
            connection = _PinnedConnection(
                parts.hostname,
                port,
                address,
                timeout=remaining,
                tls=self.tls if parts.scheme == "https" else None,
            )
            # The watchdog ends the connection at the deadline, whatever it is waiting for.
            watchdog = threading.Timer(remaining, connection.cut)
            watchdog.daemon = True
            watchdog.start()
            try:
                redirect = self._get(connection, url, parts)
            except BadgeError:
                if connection.was_cut:
                    raise FetchError(slow) from None
                raise
            except (OSError, http.client.HTTPException, ValueError) as error:
                if connection.was_cut or time.monotonic() >= until:
                    raise FetchError(slow) from error
                raise FetchError(f"{url} could not be fetched: {error}") from error
            finally:
                watchdog.cancel()
                connection.close()
            if connection.was_cut:
                raise FetchError(slow)
            if isinstance(redirect, dict):
                return redirect
            url = redirect
        raise FetchError(f"{url} redirects more than {self.max_redirects} times")

    def _get(self, connection: _PinnedConnection, url: str, parts: Any) -> dict[str, Any] | str:
        """The document, or the URL a redirect points at."""
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", path, headers={"Accept": ACCEPT, "Host": parts.netloc})
        response = connection.getresponse()
        if response.status in (301, 302, 303, 307, 308):
            location = response.getheader("Location")
            if not location:
                raise FetchError(f"{url} redirects without a Location")
            return urljoin(url, location)
        if response.status == 410:
            raise Gone(
                f"{url} is gone (410): the issuer has withdrawn it",
                gone_reason(response.read(self.max_bytes)),
            )
        if response.status != 200:
            raise FetchError(f"{url} answered HTTP {response.status}")
        kind = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
        if kind and "json" not in kind:
            raise FetchError(f"{url} answered {kind}, not JSON")
        declared = response.getheader("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(f"{url} answered more than {self.max_bytes // 1024} KB")
        body = response.read(self.max_bytes + 1)
        if len(body) > self.max_bytes:
            raise FetchError(f"{url} answered more than {self.max_bytes // 1024} KB")
        self._local.max_age = _max_age(response.getheader("Cache-Control"))
        return json_object(body, f"the answer of {url}", FetchError)


def _too_slow(url: str, seconds: float) -> str:
    return (
        f"{url} did not answer within {seconds:g} s; a badge document must arrive in time "
        "(the server may be down or too slow)"
    )


def _out_of_time(url: str) -> str:
    return f"{url} was still loading when the verification's time ran out (the server is too slow)"
