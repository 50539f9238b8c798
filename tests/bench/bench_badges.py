"""Benchmarks for the badges library; figures against a baseline measured in the same run.

    .venv/bin/python tests/bench/bench_badges.py [--quick]      (what `make bench` runs)

- signing: our JWS signer vs raw `cryptography` RSA signing with the same key (goal >= 0.85)
- verification: offline verify() of a signed assertion with its documents resolved vs raw RSA
  verification (goal >= 0.3)
- baking: bake and unbake time for a 50 KB PNG
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from badges import bake, jws, keys, objects
from badges.fetch import StaticFetcher
from badges.recipient import make_recipient
from badges.verify import verify


def rate(work: Callable[[], object], seconds: float) -> float:
    """Calls per second of ``work`` over about ``seconds``."""
    work()
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        work()
        count += 1
    return count / elapsed


def png_of_size(target: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    side = 131
    noise = os.urandom(target)  # incompressible, so the file is about `target` bytes
    raw = b"".join(
        b"\x00" + noise[(y * side * 3) % (target - side * 3) :][: side * 3] for y in range(side)
    )
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 0))
        + chunk(b"IEND", b"")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs (for the test suite)")
    seconds = 0.2 if parser.parse_args(argv).quick else 2.0

    private_key = keys.generate_private_key(2048)
    base = "https://issuer.example.org"
    signer = keys.RSASigner(private_key, f"{base}/keys/1")
    assertion = objects.assertion(
        {
            "id": f"{base}/assertions/1",
            "recipient": make_recipient("teacher@example.org"),
            "badge": f"{base}/badges/1",
            "verification": {"type": "SignedBadge", "creator": signer.key_id},
            "issuedOn": datetime.now(UTC) - timedelta(days=1),
        }
    )
    token = jws.sign_assertion(assertion, signer)
    documents = {
        f"{base}/badges/1": objects.badge_class(
            {
                "id": f"{base}/badges/1",
                "name": "B",
                "description": "D",
                "image": f"{base}/b.png",
                "criteria": {"narrative": "N"},
                "issuer": f"{base}/issuer",
            }
        ),
        f"{base}/issuer": objects.profile(
            {
                "id": f"{base}/issuer",
                "name": "I",
                "url": base,
                "email": "i@issuer.example.org",
                "publicKey": signer.key_id,
                "revocationList": f"{base}/revocations",
            }
        ),
        signer.key_id: objects.cryptographic_key(
            signer.key_id, f"{base}/issuer", keys.public_pem(private_key)
        ),
        f"{base}/revocations": objects.revocation_list(f"{base}/revocations", f"{base}/issuer", []),
    }
    fetcher = StaticFetcher(documents)
    assert verify(token, fetcher=fetcher).valid

    message = token.rsplit(".", 1)[0].encode()
    signature = private_key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    public = private_key.public_key()

    raw_sign = rate(lambda: private_key.sign(message, padding.PKCS1v15(), hashes.SHA256()), seconds)
    our_sign = rate(lambda: jws.sign_assertion(assertion, signer), seconds)
    raw_verify = rate(
        lambda: public.verify(signature, message, padding.PKCS1v15(), hashes.SHA256()), seconds
    )
    our_verify = rate(lambda: verify(token, fetcher=fetcher), seconds)

    png = png_of_size(50 * 1024)
    baked = bake.bake_png(png, token)
    bake_rate = rate(lambda: bake.bake_png(png, token), seconds)
    unbake_rate = rate(lambda: bake.unbake(baked), seconds)

    lines = [
        ("signing", our_sign, raw_sign, 0.85),
        ("verification", our_verify, raw_verify, 0.30),
    ]
    for name, ours, raw, goal in lines:
        print(
            f"{name}: {ours:9.0f}/s ours vs {raw:9.0f}/s raw RSA  "
            f"ratio {ours / raw:.2f} (goal >= {goal:.2f})"
        )
    print(
        f"baking: {len(png) // 1024} KB PNG: "
        f"bake {1000 / bake_rate:.3f} ms, unbake {1000 / unbake_rate:.3f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
