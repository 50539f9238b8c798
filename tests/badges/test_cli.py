"""The ``badges`` command line, run as a real process on real files."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.badges.samples import make_png

ROOT = Path(__file__).resolve().parents[2]


def badges(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "badges.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=60,
        check=False,
    )


def test_keygen_sign_bake_unbake_verify(tmp_path: Path, world: Any) -> None:
    key = tmp_path / "key.pem"
    made = badges("keygen", "--out", str(key))
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    public = badges("pubkey", str(key))
    assert public.stdout.startswith("-----BEGIN PUBLIC KEY-----")

    # Publish the new key as the issuer's, then sign with it from the command line.
    world.key = {**world.key, "publicKeyPem": public.stdout}
    world.publish()
    assertion = tmp_path / "assertion.json"
    assertion.write_text(json.dumps(world.assertion()))
    signed = badges("sign", "--key", str(key), "--creator", world.key_id, str(assertion))
    assert signed.returncode == 0, signed.stderr
    token = signed.stdout.strip()

    image = tmp_path / "badge.png"
    image.write_bytes(make_png(8))
    baked = tmp_path / "baked.png"
    assert badges("bake", str(image), "--jws", token, "-o", str(baked)).returncode == 0
    assert badges("unbake", str(baked)).stdout.strip() == token

    ok = badges("verify", str(baked), "--allow-private", "--recipient", "teacher@school.example")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.startswith("VALID")
    as_json = badges("verify", token, "--json", env={"BADGES_ALLOW_PRIVATE_HOSTS": "1"})
    report = json.loads(as_json.stdout)
    assert report["valid"] is True
    assert {c["name"] for c in report["checks"]} >= {"signature", "key", "revocation"}

    mismatch = badges("verify", token, "--allow-private", "--recipient", "other@school.example")
    assert mismatch.returncode == 1
    refused = badges("verify", token)  # loopback issuer refused by default
    assert refused.returncode == 1
    assert "private or reserved" in refused.stdout


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert badges("verify", str(tmp_path / "missing.png")).returncode == 2
    assert badges("keygen", "--out", str(tmp_path / "k.pem"), "--bits", "1024").returncode == 2
    assert badges("frobnicate").returncode == 2
    garbage = tmp_path / "garbage.png"
    garbage.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    result = badges("unbake", str(garbage))
    assert result.returncode == 1
    assert "PNG" in result.stderr


def test_a_json_file_named_png_is_told_it_is_no_image(tmp_path: Path, world: Any) -> None:
    path = tmp_path / "badge.png"
    path.write_text(json.dumps(world.assertion()))
    result = badges("verify", str(path))
    assert result.returncode == 1
    assert "badge.png is not a PNG image" in result.stdout
