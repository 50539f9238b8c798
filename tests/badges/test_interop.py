"""Interoperability with independent implementations: jwcrypto (JWS) and openbadges-bakery."""

from __future__ import annotations

import io
import json
from typing import Any

from jwcrypto import jwk
from jwcrypto import jws as jw_jws
from openbadges_bakery import bake as bakery_bake
from openbadges_bakery import unbake as bakery_unbake

from badges import bake, keys
from badges.jws import sign_assertion
from badges.verify import verify
from tests.badges.samples import SVG, make_png


def _jwcrypto_sign(payload: dict[str, Any], private_key: Any) -> str:
    key = jwk.JWK.from_pem(keys.private_pem(private_key))
    token = jw_jws.JWS(json.dumps(payload).encode())
    token.add_signature(key, alg="RS256", protected=json.dumps({"alg": "RS256"}))
    return str(token.serialize(compact=True))


def test_badge_signed_by_jwcrypto_and_baked_by_bakery_verifies(
    world: Any, fetcher: Any, private_key: Any
) -> None:
    payload = world.assertion()
    payload["verification"] = {"type": "SignedBadge", "creator": world.key_id}
    token = _jwcrypto_sign(payload, private_key)
    baked = bakery_bake(io.BytesIO(make_png(6)), token).read()
    report = verify(baked, fetcher=fetcher, recipient="teacher@school.example")
    assert report.valid, report.to_dict()


def test_our_signature_verifies_with_jwcrypto(world: Any, private_key: Any) -> None:
    token = sign_assertion(world.assertion(), world.signer)
    checker = jw_jws.JWS()
    checker.deserialize(token)
    checker.verify(jwk.JWK.from_pem(keys.public_pem(private_key).encode()), alg="RS256")
    payload = json.loads(checker.payload)
    assert payload["verification"] == {"type": "SignedBadge", "creator": world.key_id}
    assert checker.jose_header["alg"] == "RS256"


def test_our_png_unbakes_with_bakery_and_theirs_with_ours() -> None:
    token = "eyJhbGciOiJSUzI1NiJ9.eyJhIjoxfQ.c2ln"
    ours = bake.bake_png(make_png(5), token)
    assert bakery_unbake(io.BytesIO(ours)) == token
    theirs = bakery_bake(io.BytesIO(make_png(5)), "https://example.org/assertions/9").read()
    assert bake.unbake(theirs) == "https://example.org/assertions/9"


def test_our_svg_unbakes_with_bakery() -> None:
    token = "eyJhbGciOiJSUzI1NiJ9.eyJhIjoxfQ.c2ln"
    assert bakery_unbake(io.BytesIO(bake.bake_svg(SVG, token))) == token
