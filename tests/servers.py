"""Real servers on loopback for tests: SMTP (aiosmtpd)."""

from __future__ import annotations

import email
import email.policy
import threading
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.net import free_port


class _Handler:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()
        self.refuse: set[str] = set()  # recipients answered 550, as a server that knows none
        self.refused: list[str] = []

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.lower() in self.refuse:
            with self.lock:
                self.refused.append(address.lower())
            return "550 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"


class SMTPTestServer:
    """An SMTP server on 127.0.0.1 that keeps what it receives."""

    host = "127.0.0.1"

    def __init__(self) -> None:
        self.handler = _Handler()
        self.controller = Controller(self.handler, hostname=self.host, port=free_port())

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    @property
    def port(self) -> int:
        return int(self.controller.port)

    @property
    def messages(self) -> list[EmailMessage]:
        with self.handler.lock:
            return list(self.handler.messages)

    def clear(self) -> None:
        with self.handler.lock:
            self.handler.messages.clear()
            self.handler.refuse.clear()
            self.handler.refused.clear()

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    @staticmethod
    def body(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain", "html"))
        assert part is not None
        return str(part.get_content())


class S3TestServer:
    """moto's S3-speaking HTTP server on 127.0.0.1 (real HTTP; boto3 talks to it as to AWS)."""

    host = "127.0.0.1"
    credentials = {
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
        "region_name": "us-east-1",
    }

    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        self.port = free_port()
        self.server = ThreadedMotoServer(ip_address=self.host, port=self.port, verbose=False)

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        self.server.start()

    def stop(self) -> None:
        self.server.stop()

    def client(self, endpoint: str | None = None) -> Any:
        return self.client_for(endpoint or self.endpoint)

    @classmethod
    def client_for(cls, endpoint: str) -> Any:
        import boto3

        return boto3.client("s3", endpoint_url=endpoint, **cls.credentials)
