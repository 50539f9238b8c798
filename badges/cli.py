"""The ``badges`` command: keygen, pubkey, sign, bake, unbake, verify.

Exit codes: 0 success (for verify: the badge is valid), 1 the badge is invalid or an operation
failed on its input, 2 a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from badges import bake, keys
from badges.errors import BadgeError
from badges.fetch import CachingFetcher, SafeFetcher, allow_private_from_env
from badges.jws import looks_like_jws, sign_assertion
from badges.keys import RSASigner
from badges.verify import verify


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="badges", description="Open Badges 2.0: sign, bake, verify."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    keygen = sub.add_parser("keygen", help="write a new RSA private key (PEM, mode 0600)")
    keygen.add_argument("--out", required=True, type=Path)
    keygen.add_argument("--bits", type=int, default=2048, choices=keys.ALLOWED_BITS)
    pubkey = sub.add_parser("pubkey", help="print the public PEM of a private key")
    pubkey.add_argument("key", type=Path)
    sign = sub.add_parser("sign", help="print the JWS of an assertion JSON file")
    sign.add_argument("--key", required=True, type=Path)
    sign.add_argument("--creator", required=True, help="URL of the CryptographicKey")
    sign.add_argument("assertion", type=Path)
    bake_cmd = sub.add_parser("bake", help="bake a JWS or an assertion URL into a PNG or SVG")
    bake_cmd.add_argument("image", type=Path)
    what = bake_cmd.add_mutually_exclusive_group(required=True)
    what.add_argument("--jws", help="the JWS, or a file holding it")
    what.add_argument("--url", help="the hosted assertion URL")
    bake_cmd.add_argument("-o", "--out", required=True, type=Path)
    unbake_cmd = sub.add_parser("unbake", help="print what is baked into a PNG or SVG")
    unbake_cmd.add_argument("file", type=Path)
    check = sub.add_parser(
        "verify", help="verify a badge: URL, JWS, or a file (JWS, URL, JSON, PNG, SVG)"
    )
    check.add_argument("input")
    check.add_argument("--recipient", help="the e-mail the badge should be issued to")
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.add_argument(
        "--allow-private", action="store_true", help="allow private and loopback hosts"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        return _run(args)
    except BadgeError as error:
        print(f"badges: {error.message}", file=sys.stderr)
        return 1
    except OSError as error:
        print(
            f"badges: {error.strerror or error}: {getattr(error, 'filename', '')}", file=sys.stderr
        )
        return 2


def _run(args: argparse.Namespace) -> int:
    if args.command == "keygen":
        pem = keys.private_pem(keys.generate_private_key(args.bits))
        fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        os.chmod(args.out, 0o600)
        print(f"wrote {args.out} ({args.bits}-bit RSA, mode 0600)")
        return 0
    if args.command == "pubkey":
        print(keys.public_pem(keys.load_private_pem(args.key.read_bytes())), end="")
        return 0
    if args.command == "sign":
        try:
            assertion = json.loads(args.assertion.read_text())
        except ValueError as error:
            raise BadgeError(f"{args.assertion} is not JSON") from error
        if not isinstance(assertion, dict):
            raise BadgeError(f"{args.assertion} must hold a JSON object")
        signer = RSASigner(keys.load_private_pem(args.key.read_bytes()), args.creator)
        print(sign_assertion(assertion, signer))
        return 0
    if args.command == "bake":
        badge = args.url or _jws_argument(args.jws)
        args.out.write_bytes(bake.bake(args.image.read_bytes(), badge))
        print(f"wrote {args.out}")
        return 0
    if args.command == "unbake":
        with args.file.open("rb") as handle:
            print(bake.unbake(handle))
        return 0
    return _verify(args)


def _jws_argument(value: str) -> str:
    if looks_like_jws(value):
        return value.strip()
    path = Path(value)
    if path.is_file():
        return path.read_text().strip()
    raise BadgeError("--jws must be a JWS or a file holding one")


def _verify(args: argparse.Namespace) -> int:
    source: str | bytes = args.input
    filename: str | None = None
    path = Path(args.input)
    if not args.input.startswith(("http://", "https://")) and not looks_like_jws(args.input):
        if not path.is_file():
            print(f"badges: {args.input} is not a URL, a JWS or a file", file=sys.stderr)
            return 2
        with path.open("rb") as handle:
            source = bake.read_limited(handle)
        filename = path.name
    fetcher = CachingFetcher(
        SafeFetcher(allow_private=args.allow_private or allow_private_from_env())
    )
    report = verify(source, fetcher=fetcher, recipient=args.recipient, filename=filename)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print("VALID" if report.valid else "NOT VALID", f"({report.kind or 'unknown'} badge)")
        for check in report.checks:
            print(f"  [{check.status}] {check.name}: {check.message}")
    return 0 if report.valid else 1


if __name__ == "__main__":
    sys.exit(main())
