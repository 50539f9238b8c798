"""Every shape Open Badges 2.0 allows for the properties the verifier reads, passing and
failing: read by badges.normalize, checked by its class rules, and end to end through verify()
against documents served on loopback."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from badges import normalize
from badges.errors import InvalidObject
from badges.verify import verify

V2 = "https://w3id.org/openbadges/v2"
HASH = "sha256$" + "a" * 64


def assertion(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": V2,
        "type": "Assertion",
        "id": "https://issuer.example.org/assertions/1",
        "recipient": {"type": "email", "hashed": True, "salt": "s", "identity": HASH},
        "badge": "https://issuer.example.org/badges/1",
        "verification": {"type": "HostedBadge"},
        "issuedOn": "2026-01-02T03:04:05Z",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def badge_class(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": V2,
        "type": "BadgeClass",
        "id": "https://issuer.example.org/badges/1",
        "name": "Exit tickets",
        "description": "Uses exit tickets.",
        "image": "https://issuer.example.org/badges/1/image.png",
        "criteria": "https://issuer.example.org/badges/1/criteria",
        "issuer": "https://issuer.example.org/issuer",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def profile(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": V2,
        "type": "Issuer",
        "id": "https://issuer.example.org/issuer",
        "name": "Riverbend",
        "url": "https://issuer.example.org",
        "email": "badges@issuer.example.org",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def ok(raw: dict[str, Any], cls: str) -> dict[str, Any]:
    document = normalize.read(raw, cls)
    normalize.check(document.node, cls, document.version)
    return document.node


def refused(raw: dict[str, Any], cls: str) -> str:
    with pytest.raises(InvalidObject) as caught:
        ok(raw, cls)
    return caught.value.message


# --- @context ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "context",
    [
        V2,
        "https://openbadgespec.org/v2/context.json",
        [V2],
        [V2, "https://w3id.org/openbadges/extensions/exampleExtension/context.json"],
        [V2, {"extra": "https://example.org/extra#"}],
    ],
)
def test_context_string_or_list_holding_v2_is_2_0(context: Any) -> None:
    document = normalize.read(assertion(**{"@context": context}), "Assertion")
    assert document.version == "2.0"


@pytest.mark.parametrize(
    "context",
    [
        "https://example.org/my-context.json",
        ["https://example.org/my-context.json"],
        {"@vocab": "https://example.org/"},
        42,
    ],
)
def test_any_other_context_is_refused_naming_context(context: Any) -> None:
    with pytest.raises(InvalidObject) as caught:
        normalize.read(assertion(**{"@context": context}), "Assertion")
    assert caught.value.field == "@context"
    assert "@context" in caught.value.message


def test_v1_context_is_1_1_and_its_document_means_only_v1_terms() -> None:
    # The 1.1 context has no term "verification": a 1.1 document using it says nothing there.
    raw = assertion(**{"@context": "https://w3id.org/openbadges/v1"})
    document = normalize.read(raw, "Assertion")
    assert document.version == "1.1"
    assert "verification" not in document.node
    assert "needs verification" in refused(raw, "Assertion")
    raw["verify"] = raw.pop("verification")
    assert ok(raw, "Assertion")["verification"]["type"] == ["HostedBadge"]


def test_no_context_is_1_0_upgraded_from_its_hosted_url() -> None:
    raw = {
        "uid": "abc",
        "recipient": {"type": "email", "hashed": False, "identity": "t@school.example"},
        "badge": "https://issuer.example.org/badges/1",
        "issuedOn": 1420070400,
        "verify": {"type": "hosted", "url": "https://issuer.example.org/assertions/abc"},
    }
    document = normalize.read(raw, "Assertion")
    assert document.version == "1.0"
    node = ok(raw, "Assertion")
    assert node["id"] == "https://issuer.example.org/assertions/abc"
    assert node["type"] == ["Assertion"]
    assert node["issuedOn"] == "2015-01-01T00:00:00+00:00"


@pytest.mark.parametrize(
    ("issued", "expected"),
    [
        ("2015-04-30", "2015-04-30T00:00:00+00:00"),
        ("2015-04-30T10:00:00", "2015-04-30T10:00:00+00:00"),
        ("1430352000", "2015-04-30T00:00:00+00:00"),
    ],
)
def test_1_x_dates_are_upgraded(issued: str, expected: str) -> None:
    raw = assertion(**{"@context": "https://w3id.org/openbadges/v1", "issuedOn": issued})
    raw["verify"] = raw.pop("verification")
    assert ok(raw, "Assertion")["issuedOn"] == expected


def test_0_5_badges_are_refused_plainly() -> None:
    with pytest.raises(InvalidObject) as caught:
        normalize.read({"recipient": "t@school.example", "badge": {}}, "Assertion")
    assert "0.5" in caught.value.message


def test_1_x_issuer_may_lack_email_but_a_2_0_one_may_not() -> None:
    old = profile(**{"@context": "https://w3id.org/openbadges/v1", "email": None})
    assert ok(old, "Profile")["name"] == "Riverbend"
    assert "needs email" in refused(profile(email=None), "Profile")


# --- aliases, compact and full IRIs ------------------------------------------------------------


def test_verify_is_verification_and_hosted_is_hostedbadge() -> None:
    raw = assertion(verification=None, verify={"type": "hosted"})
    assert ok(raw, "Assertion")["verification"] == {"type": ["HostedBadge"]}
    raw = assertion(verification={"type": "signed", "creator": "https://i.example.org/k"})
    assert ok(raw, "Assertion")["verification"]["type"] == ["SignedBadge"]


def test_verify_and_verification_together_are_refused() -> None:
    raw = assertion(verify={"type": "HostedBadge"})
    assert "given twice" in refused(raw, "Assertion")


@pytest.mark.parametrize(
    "name",
    ["obi:badge", "https://w3id.org/openbadges#badge"],
)
def test_properties_may_be_compact_or_full_iris(name: str) -> None:
    raw = assertion(badge=None)
    raw[name] = "https://issuer.example.org/badges/1"
    assert ok(raw, "Assertion")["badge"] == "https://issuer.example.org/badges/1"


@pytest.mark.parametrize(
    "value", ["Assertion", ["Assertion"], "obi:Assertion", ["Assertion", "extensions:Thing"]]
)
def test_type_single_array_or_iri(value: Any) -> None:
    assert "Assertion" in ok(assertion(type=value), "Assertion")["type"]


@pytest.mark.parametrize("value", ["BadgeClass", ["Badge"], "NotATerm", None])
def test_wrong_or_missing_type_is_refused(value: Any) -> None:
    message = refused(assertion(type=value), "Assertion")
    assert "type" in message


def test_issuer_type_may_be_issuer_or_profile() -> None:
    assert ok(profile(type="Profile"), "Profile")
    assert ok(profile(type=["Issuer", "Profile"]), "Profile")
    assert "not Issuer or Profile" in refused(profile(type="BadgeClass"), "Profile")


# --- one value or many; IRI or embedded object --------------------------------------------------

EVIDENCE_OBJECT = {"id": "https://example.org/e/1", "narrative": "Scored Proficient."}


@pytest.mark.parametrize(
    "evidence",
    [
        "https://example.org/e/1",
        EVIDENCE_OBJECT,
        ["https://example.org/e/1", EVIDENCE_OBJECT],
        {"narrative": "No URL, only words."},
        {"type": "Evidence", "narrative": "Typed."},
        "urn:uuid:4b3d1a6c-1f3b-4c1d-9c1f-3f1d2c3b4a5e",
    ],
)
def test_evidence_single_or_list_iri_or_object(evidence: Any) -> None:
    node = ok(assertion(evidence=evidence), "Assertion")
    assert isinstance(node["evidence"], list)
    assert len(node["evidence"]) == (len(evidence) if isinstance(evidence, list) else 1)


@pytest.mark.parametrize("evidence", ["not a url", 42, [{"id": "ftp://x"}], {"narrative": 7}])
def test_bad_evidence_is_refused(evidence: Any) -> None:
    assert "evidence" in refused(assertion(evidence=evidence), "Assertion").lower()


@pytest.mark.parametrize(
    "badge",
    [
        "https://issuer.example.org/badges/1",
        {"id": "https://issuer.example.org/badges/1"},
        badge_class(),
        {**badge_class(), "id": "urn:uuid:4b3d1a6c-1f3b-4c1d-9c1f-3f1d2c3b4a5e"},
    ],
)
def test_badge_iri_or_embedded(badge: Any) -> None:
    node = ok(assertion(badge=badge), "Assertion")
    assert isinstance(node["badge"], str | dict)


@pytest.mark.parametrize("badge", ["badges/1", 7, ["https://a.example/1", "https://a.example/2"]])
def test_bad_badge_is_refused(badge: Any) -> None:
    assert "badge" in refused(assertion(badge=badge), "Assertion")


def test_single_valued_property_given_twice_is_refused() -> None:
    assert "more than the single value" in refused(
        assertion(issuedOn=["2026-01-02T03:04:05Z", "2026-01-03T03:04:05Z"]), "Assertion"
    )


def test_one_element_array_is_the_single_value() -> None:
    assert ok(assertion(issuedOn=["2026-01-02T03:04:05Z"]), "Assertion")["issuedOn"] == (
        "2026-01-02T03:04:05Z"
    )


@pytest.mark.parametrize(
    "image",
    [
        "https://issuer.example.org/i.png",
        "data:image/png;base64,iVBORw0KGgo=",
        "data:image/svg+xml;utf8,<svg/>",
        {"id": "https://issuer.example.org/i.png", "caption": "A ring"},
        {"type": "Image", "id": "data:image/png;base64,iVBORw0KGgo="},
    ],
)
def test_badge_class_image_url_data_uri_or_image_object(image: Any) -> None:
    assert ok(badge_class(image=image), "BadgeClass")["image"]


@pytest.mark.parametrize(
    "image", [None, "data:image/gif;base64,R0lGOD", "picture.png", {"caption": "no id"}]
)
def test_bad_badge_class_image_is_refused(image: Any) -> None:
    assert "image" in refused(badge_class(image=image), "BadgeClass")


@pytest.mark.parametrize(
    "criteria",
    [
        "https://issuer.example.org/criteria",
        {"narrative": "Pass the rubric."},
        {"id": "https://issuer.example.org/criteria"},
        {"type": "Criteria", "id": "https://issuer.example.org/c", "narrative": "And words."},
    ],
)
def test_criteria_url_or_object(criteria: Any) -> None:
    assert ok(badge_class(criteria=criteria), "BadgeClass")["criteria"]


@pytest.mark.parametrize("criteria", [None, {"type": "Criteria"}, "see the website", 3])
def test_bad_criteria_is_refused(criteria: Any) -> None:
    assert "criteria" in refused(badge_class(criteria=criteria), "BadgeClass")


ALIGNMENT = {"targetName": "Assessment", "targetUrl": "https://example.org/intasc/6"}


@pytest.mark.parametrize("alignment", [ALIGNMENT, [ALIGNMENT, ALIGNMENT]])
def test_alignment_single_or_list(alignment: Any) -> None:
    assert isinstance(ok(badge_class(alignment=alignment), "BadgeClass")["alignment"], list)


@pytest.mark.parametrize(
    "alignment",
    [{"targetName": "No URL"}, {"targetUrl": "https://x.example/"}, "https://x.example/a"],
)
def test_bad_alignment_is_refused(alignment: Any) -> None:
    assert "alignment" in refused(badge_class(alignment=alignment), "BadgeClass").lower()


def test_1_1_alignment_names_are_upgraded() -> None:
    raw = badge_class(
        **{"@context": "https://w3id.org/openbadges/v1"},
        alignment=[{"name": "Assessment", "url": "https://example.org/intasc/6"}],
    )
    assert ok(raw, "BadgeClass")["alignment"] == [ALIGNMENT]


@pytest.mark.parametrize("tags", ["assessment", ["assessment", "feedback"]])
def test_tags_single_or_list(tags: Any) -> None:
    assert isinstance(ok(badge_class(tags=tags), "BadgeClass")["tags"], list)


@pytest.mark.parametrize(
    "issuer", ["https://issuer.example.org/issuer", profile(), {"id": "_:b0", **profile()}]
)
def test_badge_class_issuer_iri_or_embedded(issuer: Any) -> None:
    assert ok(badge_class(issuer=issuer), "BadgeClass")["issuer"]


ENDORSEMENT = {
    "id": "https://endorser.example.org/e/1",
    "type": "Endorsement",
    "claim": {"id": "https://issuer.example.org/badges/1", "endorsementComment": "Good."},
    "issuedOn": "2026-01-01T00:00:00Z",
    "issuer": "https://endorser.example.org/issuer",
    "verification": {"type": "HostedBadge"},
}


@pytest.mark.parametrize(
    "endorsement", ["https://endorser.example.org/e/1", ENDORSEMENT, [ENDORSEMENT]]
)
def test_endorsement_iri_or_object_single_or_list(endorsement: Any) -> None:
    assert ok(badge_class(endorsement=endorsement), "BadgeClass")["endorsement"]


def test_endorsement_without_claim_is_refused() -> None:
    bad = {k: v for k, v in ENDORSEMENT.items() if k != "claim"}
    assert "claim" in refused(badge_class(endorsement=bad), "BadgeClass")


# --- recipient, dates, profile -------------------------------------------------------------------


@pytest.mark.parametrize(
    "recipient",
    [
        {"type": "email", "hashed": False, "identity": "t@school.example"},
        {"type": "email", "hashed": True, "identity": "md5$" + "b" * 32},
        {"type": "url", "hashed": False, "identity": "https://t.example"},
        {"type": "telephone", "hashed": True, "identity": "sha256$" + "C" * 64},
    ],
)
def test_recipient_shapes(recipient: Any) -> None:
    assert ok(assertion(recipient=recipient), "Assertion")["recipient"]


@pytest.mark.parametrize(
    "recipient",
    [
        "t@school.example",
        {"type": "email", "identity": "t@school.example"},
        {"type": "email", "hashed": True, "identity": "t@school.example"},
        {"type": "email", "hashed": False, "identity": HASH},
        {"type": "email", "hashed": False, "identity": "not an address"},
        {"type": "shoe size", "hashed": False, "identity": "42"},
    ],
)
def test_bad_recipients_are_refused(recipient: Any) -> None:
    assert "recipient" in refused(assertion(recipient=recipient), "Assertion")


@pytest.mark.parametrize(
    "when", ["2026-01-02T03:04:05Z", "2026-01-02T03:04:05.123+02:00", "2026-01-02T03:04-0500"]
)
def test_datetimes_with_a_zone(when: str) -> None:
    assert ok(assertion(issuedOn=when), "Assertion")


@pytest.mark.parametrize("when", ["2026-01-02", "2026-01-02T03:04:05", "yesterday", 1700000000])
def test_2_0_datetimes_without_a_zone_are_refused(when: Any) -> None:
    assert "issuedOn" in refused(assertion(issuedOn=when), "Assertion")


def test_revocation_list_entries_as_ids_objects_or_legacy_uids() -> None:
    raw = {
        "@context": V2,
        "type": "RevocationList",
        "id": "https://issuer.example.org/revocations",
        "revokedAssertions": [
            "https://issuer.example.org/assertions/1",
            {"id": "urn:uuid:4b3d1a6c-1f3b-4c1d-9c1f-3f1d2c3b4a5e", "revocationReason": "x"},
            {"uid": "abc"},
        ],
    }
    assert len(ok(raw, "RevocationList")["revokedAssertions"]) == 3
    raw["revokedAssertions"] = [{"revocationReason": "no id"}]
    assert "entry" in refused(raw, "RevocationList")


def test_profile_verification_policy_single_or_many_values() -> None:
    policy = {"startsWith": "https://issuer.example.org/a/", "allowedOrigins": ["a.example.org"]}
    node = ok(profile(verification=policy), "Profile")
    assert node["verification"]["startsWith"] == ["https://issuer.example.org/a/"]
    assert node["verification"]["allowedOrigins"] == ["a.example.org"]


def test_deep_objects_are_refused_not_recursed() -> None:
    nested: dict[str, Any] = {"narrative": "bottom"}
    for _ in range(40):
        nested = {"narrative": "x", "evidence": nested}
    with pytest.raises(InvalidObject) as caught:
        normalize.read(assertion(evidence=nested), "Assertion")
    assert "levels deep" in caught.value.message


# --- end to end: the same shapes through verify() on loopback ------------------------------------


def _serve_world(world: Any, **assertion_changes: Any) -> str:
    """A hosted assertion built from the world's own documents, with raw changes applied."""
    document = copy.deepcopy(world.assertion())
    document.update(assertion_changes)
    return world.server.put("/assertions/1", document)


def test_hosted_badge_with_embedded_badge_class_and_verify_alias(world: Any, fetcher: Any) -> None:
    embedded = dict(world.badge_class)
    url = _serve_world(
        world,
        badge=embedded,
        verify={"type": "hosted"},
        verification=None,
        evidence="https://example.org/evidence/1",
        type=["Assertion"],
        **{"@context": [V2, "https://w3id.org/openbadges/extensions/x/context.json"]},
    )
    body = json.loads(world.server.documents["/assertions/1"][1])
    body.pop("verification")
    world.server.put("/assertions/1", body)
    report = verify(url, fetcher=fetcher)
    assert report.valid, report.to_dict()
    assert report.badge_class is not None
    assert report.badge_class["id"] == world.badge_id


def test_embedded_badge_class_is_checked_at_its_own_id(world: Any, fetcher: Any) -> None:
    """A copy embedded in the assertion cannot lie about the badge: the served one counts."""
    fake = dict(world.badge_class, name="Nobel prize", issuer="https://evil.example/issuer")
    url = _serve_world(world, badge=fake)
    report = verify(url, fetcher=fetcher)
    assert report.valid, report.to_dict()
    assert report.badge_class is not None
    assert report.badge_class["name"] == "Exit tickets"


def test_1_1_hosted_badge_verifies_with_a_version_note(world: Any, fetcher: Any) -> None:
    document = world.assertion()
    document["@context"] = "https://w3id.org/openbadges/v1"
    document["verify"] = {"type": "hosted", "url": document["id"]}
    document.pop("verification")
    document["issuedOn"] = document["issuedOn"][:10]
    url = world.server.put("/assertions/1", document)
    report = verify(url, fetcher=fetcher)
    assert report.valid, report.to_dict()
    notes = [c.message for c in report.checks if c.name == "version"]
    assert notes
    assert "Open Badges 1.1" in notes[0]


def test_1_1_context_with_2_0_terms_is_not_valid(world: Any, fetcher: Any) -> None:
    document = world.assertion()
    document["@context"] = "https://w3id.org/openbadges/v1"
    url = world.server.put("/assertions/1", document)
    report = verify(url, fetcher=fetcher)
    assert not report.valid
    failed = " ".join(c.message for c in report.checks if c.status == "fail")
    assert "verification" in failed


def test_unknown_context_fails_naming_context(world: Any, fetcher: Any) -> None:
    url = _serve_world(world, **{"@context": "https://example.org/not-open-badges"})
    report = verify(url, fetcher=fetcher)
    assert not report.valid
    assert any("@context" in c.message for c in report.checks if c.status == "fail")


def test_signed_badge_with_verify_alias_and_single_evidence_object(
    world: Any, fetcher: Any
) -> None:
    from badges.jws import sign_assertion

    payload = world.assertion(evidence=[{"narrative": "One object."}])
    token = sign_assertion(payload, world.signer)
    assert verify(token, fetcher=fetcher).valid
    # Written by another tool: verify for verification, one evidence object, not a list.
    header, _, _ = token.split(".")
    other = dict(payload, evidence={"narrative": "One object."})
    other["verify"] = {"type": "signed", "creator": world.key_id}
    other.pop("verification", None)
    from badges import jws

    body = jws.b64encode(json.dumps(other).encode())
    signature = world.signer.sign(f"{header}.{body}".encode())
    report = verify(f"{header}.{body}.{jws.b64encode(signature)}", fetcher=fetcher)
    assert report.valid, report.to_dict()


def test_fetched_json_that_is_no_badge_is_not_echoed(server: Any, fetcher: Any) -> None:
    url = server.put("/secret.json", {"internal": "payroll", "type": "Spreadsheet"})
    report = verify(url, fetcher=fetcher)
    assert not report.valid
    assert report.assertion is None
    assert "payroll" not in json.dumps(report.to_dict())


def test_a_json_file_named_png_is_told_it_is_not_an_image(world: Any, fetcher: Any) -> None:
    data = json.dumps(world.assertion()).encode()
    report = verify(data, fetcher=fetcher, filename="badge.png")
    assert not report.valid
    assert "not a PNG image" in report.checks[0].message
