"""Every badge the platform issues passes the 1EdTech Open Badges 2.0 reference validator in
all four forms (hosted URL, JWS, baked PNG, baked SVG), and our own `badges verify`: a normal
badge, an expiring one, one re-signed after a key rotation; a revoked one fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.db import db
from app.issuance import documents, service
from app.models.assertions import Assertion
from tests.app.issuance.helpers import messages, our_cli, passed, reference_validator
from tests.app.reviews.world import build

pytestmark = pytest.mark.browser  # slow: a served app and a validator process per form

EMAIL = "jordan@lake.test"


def _forms(item: Assertion, tmp_path: Path) -> dict[str, str]:
    png = tmp_path / f"{item.uid}.png"
    svg = tmp_path / f"{item.uid}.svg"
    png.write_bytes(service.baked(item, "png"))
    svg.write_bytes(service.baked(item, "svg"))
    db.session.commit()
    assert item.jws is not None
    return {
        "hosted": documents.assertion_url(item),
        "jws": item.jws,
        "png": f"@{png}",
        "svg": f"@{svg}",
    }


def _all_valid(item: Assertion, tmp_path: Path) -> None:
    for form, source in _forms(item, tmp_path).items():
        report = reference_validator(source, EMAIL)
        assert report.get("valid") is True, (form, messages(report))
        assert report.get("errorCount") == 0, (form, messages(report))
        code, ours = our_cli(source.removeprefix("@"), EMAIL)
        assert code == 0, (form, ours)
        assert ours["valid"] is True


def test_a_normal_badge_passes_in_all_four_forms(live: Any, tmp_path: Path) -> None:
    world = build(validity_years=None)
    item = passed(world, EMAIL)
    assert item.expires is None
    _all_valid(item, tmp_path)
    wrong = reference_validator(documents.assertion_url(item), "someone.else@lake.test")
    assert wrong.get("valid") is False  # the recipient check is real


def test_an_expiring_badge_passes_and_says_when(live: Any, tmp_path: Path) -> None:
    world = build(validity_years=3)
    item = passed(world, EMAIL)
    assert item.expires is not None
    assert item.expires.year == item.issued_on.year + 3
    _all_valid(item, tmp_path)


def test_a_badge_resigned_after_key_rotation_passes_and_the_old_copy_points_to_it(
    live: Any, tmp_path: Path, mailbox: Any
) -> None:
    world = build()
    item = passed(world, EMAIL)
    old_jws = item.jws
    old_key = item.key_id
    service.rotate_key(world.admin, world.issuer)
    db.session.commit()  # the re-signing job runs after the commit
    db.session.expire_all()
    item = db.session.get(Assertion, item.id)
    assert item.key_id != old_key
    assert item.jws != old_jws
    _all_valid(item, tmp_path)
    stale = reference_validator(old_jws, EMAIL)
    assert stale.get("valid") is False
    code, ours = our_cli(old_jws, EMAIL)
    assert code == 1
    key_check = next(c for c in ours["checks"] if c["name"] == "key")
    assert "signed with a retired key of this issuer" in key_check["message"]
    assert documents.assertion_url(item) in key_check["message"]
    assert any("fresh copy" in str(m["Subject"]) for m in mailbox.to(EMAIL))


def test_a_revoked_badge_fails_hosted_with_410_and_signed_by_the_revocation_list(
    live: Any, tmp_path: Path
) -> None:
    world = build()
    item = passed(world, EMAIL)
    forms = _forms(item, tmp_path)
    service.revoke(world.admin, item, "The evidence was not the teacher's own.")
    db.session.commit()

    http = live.client()
    hosted = http.get(forms["hosted"], headers={"Accept": "application/ld+json"})
    assert hosted.status_code == 410
    assert hosted.get_json()["revoked"] is True
    assert "not the teacher's own" in hosted.get_json()["revocationReason"]
    signed = reference_validator(forms["jws"])
    assert signed.get("valid") is False
    assert any("has been revoked" in m for m in messages(signed)), messages(signed)
    for form in ("hosted", "jws", "png", "svg"):
        code, ours = our_cli(forms[form].removeprefix("@"))
        assert code == 1, form
        revocation = next(c for c in ours["checks"] if c["name"] == "revocation")
        assert revocation["status"] == "fail", form
        assert "not the teacher's own" in revocation["message"], form
