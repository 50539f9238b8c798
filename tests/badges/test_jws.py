"""JWS through PyJWT: the bytes we sign, the algorithms we refuse, every bad token a clear error."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from hypothesis import given, settings
from hypothesis import strategies as st
from jwt.algorithms import HMACAlgorithm
from jwt.api_jws import PyJWS
from jwt.exceptions import DecodeError

from badges import jws, keys
from badges.errors import SignatureError
from badges.keys import RSASigner

KEY_ID = "https://issuer.example.org/keys/1"
ASSERTION: dict[str, Any] = {
    "@context": "https://w3id.org/openbadges/v2",
    "type": "Assertion",
    "id": "https://issuer.example.org/assertions/1",
    "recipient": {"type": "email", "hashed": False, "identity": "zoë@school.example"},
    "badge": "https://issuer.example.org/badges/1",
    "issuedOn": "2024-05-01T12:00:00+00:00",
}


class HeldKeySigner:
    """A Signer that is not RSASigner: like a KMS key, it only answers signing requests."""

    def __init__(self, private_key: rsa.RSAPrivateKey, key_id: str) -> None:
        self._private_key = private_key
        self.key_id = key_id
        self.requests: list[bytes] = []

    def sign(self, data: bytes) -> bytes:
        self.requests.append(data)
        return self._private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def _token(header: Any, payload: Any, signature: bytes = b"signature") -> str:
    def part(value: Any) -> str:
        raw = value if isinstance(value, bytes) else json.dumps(value).encode()
        return jws.b64encode(raw)

    return f"{part(header)}.{part(payload)}.{jws.b64encode(signature)}"


def _signed_with(
    private_key: Any, alg: str, sign: Any, payload: dict[str, Any] | None = None
) -> str:
    """A token with header ``{"alg": alg}`` whose signature ``sign(signing_input)`` makes."""
    header = jws.b64encode(json.dumps({"alg": alg}).encode())
    body = jws.b64encode(json.dumps(payload or ASSERTION).encode())
    signing_input = f"{header}.{body}".encode()
    return f"{header}.{body}.{jws.b64encode(sign(signing_input))}"


@pytest.fixture
def signer(private_key: rsa.RSAPrivateKey) -> RSASigner:
    return RSASigner(private_key, KEY_ID)


def test_round_trip_with_an_in_memory_key(signer: RSASigner) -> None:
    token = jws.sign_assertion(ASSERTION, signer)
    public_key = signer.private_key.public_key()

    jws.check_signature(token, public_key)
    header, payload = jws.decode(token)
    assert header == {"alg": "RS256"}
    assert payload == {**ASSERTION, "verification": {"type": "SignedBadge", "creator": KEY_ID}}
    assert jws.verify(token, public_key) == payload


def test_round_trip_with_a_signer_that_only_signs(private_key: rsa.RSAPrivateKey) -> None:
    held = HeldKeySigner(private_key, "https://issuer.example.org/keys/kms")
    token = jws.sign_assertion(ASSERTION, held)

    assert held.requests == [token.rsplit(".", 1)[0].encode("ascii")]
    jws.check_signature(token, private_key.public_key())
    assert jws.decode(token)[1]["verification"]["creator"] == held.key_id


def test_header_is_exactly_alg_rs256_without_typ(signer: RSASigner) -> None:
    header_b64 = jws.sign_assertion(ASSERTION, signer).split(".")[0]
    assert jws.b64decode(header_b64) == b'{"alg":"RS256"}'
    assert header_b64 == "eyJhbGciOiJSUzI1NiJ9"


def test_payload_is_compact_utf8_json(signer: RSASigner) -> None:
    payload_b64 = jws.sign_assertion(ASSERTION, signer).split(".")[1]
    expected = {**ASSERTION, "verification": {"type": "SignedBadge", "creator": KEY_ID}}
    raw = jws.b64decode(payload_b64)
    assert raw == json.dumps(expected, separators=(",", ":"), ensure_ascii=False).encode()
    assert "zoë".encode() in raw
    assert b", " not in raw
    assert b'": ' not in raw


def test_signature_is_plain_rsassa_pkcs1_sha256(signer: RSASigner) -> None:
    signing_input, _, signature = jws.sign_assertion(ASSERTION, signer).rpartition(".")
    signer.private_key.public_key().verify(
        jws.b64decode(signature), signing_input.encode(), padding.PKCS1v15(), hashes.SHA256()
    )


def test_signing_does_not_change_the_assertion_given(signer: RSASigner) -> None:
    assertion = dict(ASSERTION)
    jws.sign_assertion(assertion, signer)
    assert assertion == ASSERTION


def _forge_none(private_key: rsa.RSAPrivateKey) -> str:
    return _signed_with(private_key, "none", lambda _: b"\x00")


def _forge_hs256_with_the_public_key(private_key: rsa.RSAPrivateKey) -> str:
    """The algorithm confusion attack: an HMAC keyed with the (public) PEM of the RSA key."""
    secret = keys.public_pem(private_key).encode()
    return _signed_with(
        private_key, "HS256", lambda data: hmac.new(secret, data, hashlib.sha256).digest()
    )


def _forge_rs512(private_key: rsa.RSAPrivateKey) -> str:
    """A genuine signature by the right key, with an algorithm we do not accept."""
    return _signed_with(
        private_key,
        "RS512",
        lambda data: private_key.sign(data, padding.PKCS1v15(), hashes.SHA512()),
    )


def _forge_es256(private_key: rsa.RSAPrivateKey) -> str:
    other = ec.generate_private_key(ec.SECP256R1())
    return _signed_with(
        private_key, "ES256", lambda data: other.sign(data, ec.ECDSA(hashes.SHA256()))
    )


@pytest.mark.parametrize(
    ("alg", "forge"),
    [
        ("none", _forge_none),
        ("HS256", _forge_hs256_with_the_public_key),
        ("RS512", _forge_rs512),
        ("ES256", _forge_es256),
    ],
)
def test_other_algorithms_are_refused_naming_them(
    private_key: rsa.RSAPrivateKey, alg: str, forge: Any
) -> None:
    token = forge(private_key)
    refused = f"algorithm '{alg}' is refused; only RS256 is accepted"
    with pytest.raises(SignatureError, match=refused):
        jws.decode(token)
    with pytest.raises(SignatureError, match=refused):
        jws.check_signature(token, private_key.public_key())


def test_an_algorithm_registered_on_pyjwts_global_registry_is_still_refused(
    private_key: rsa.RSAPrivateKey,
) -> None:
    jwt.register_algorithm("XS256", HMACAlgorithm(HMACAlgorithm.SHA256))
    try:
        token = _signed_with(private_key, "XS256", lambda data: b"x")
        with pytest.raises(SignatureError, match="'XS256' is refused"):
            jws.check_signature(token, private_key.public_key())
    finally:
        jwt.unregister_algorithm("XS256")


def test_a_changed_payload_does_not_verify(signer: RSASigner) -> None:
    header, _, signature = jws.sign_assertion(ASSERTION, signer).split(".")
    forged = {**ASSERTION, "issuedOn": "2020-01-01T00:00:00+00:00"}
    token = f"{header}.{jws.b64encode(json.dumps(forged).encode())}.{signature}"
    jws.decode(token)  # still readable: only the signature tells
    with pytest.raises(SignatureError, match="signature does not match"):
        jws.check_signature(token, signer.private_key.public_key())


def test_another_key_does_not_verify(signer: RSASigner, other_key: rsa.RSAPrivateKey) -> None:
    token = jws.sign_assertion(ASSERTION, signer)
    with pytest.raises(SignatureError, match="signature does not match") as caught:
        jws.check_signature(token, other_key.public_key())
    assert isinstance(caught.value.__cause__, jwt.exceptions.InvalidSignatureError)


def test_surrounding_whitespace_is_ignored(signer: RSASigner) -> None:
    token = f"  {jws.sign_assertion(ASSERTION, signer)}\n"
    assert jws.looks_like_jws(token)
    jws.check_signature(token, signer.private_key.public_key())
    assert jws.decode(token)[0] == {"alg": "RS256"}


RS256 = {"alg": "RS256"}


@pytest.mark.parametrize(
    ("token", "message"),
    [
        pytest.param("", "three base64url parts", id="empty"),
        pytest.param("not a badge", "three base64url parts", id="text"),
        pytest.param("eyJhbGciOiJSUzI1NiJ9.e30", "three base64url parts", id="two-parts"),
        pytest.param("a.b.c.d", "three base64url parts", id="four-parts"),
        pytest.param("eyJhbGciOiJSUzI1NiJ9..c2ln", "three base64url parts", id="empty-part"),
        pytest.param("eyJh bGci.e30.c2ln", "three base64url parts", id="space-inside"),
        pytest.param("eyJhbGciOiJSUzI1NiJ9=.e30.c2ln", "three base64url parts", id="padding"),
        pytest.param("eyJ+.e30.c2ln", "three base64url parts", id="standard-alphabet"),
        pytest.param("abcde.e30.c2ln", "not valid base64url", id="bad-base64-length"),
        pytest.param("eyJ9.eyJ9.x", "JWS header is not JSON", id="header-not-json"),
        pytest.param(_token(b"\xff\xfe", {}), "JWS header is not JSON", id="header-not-utf8"),
        pytest.param(_token([RS256], {}), "header is not a JSON object", id="header-array"),
        pytest.param(_token("RS256", {}), "header is not a JSON object", id="header-string"),
        pytest.param(_token({}, {}), "algorithm None is refused", id="no-alg"),
        pytest.param(_token({"alg": "rs256"}, {}), "'rs256' is refused", id="alg-lowercase"),
        pytest.param(_token({"alg": ["RS256"]}, {}), "is refused", id="alg-list"),
        pytest.param(_token(RS256, b"{"), "JWS payload is not JSON", id="payload-not-json"),
        pytest.param(_token(RS256, [1]), "payload is not a JSON object", id="payload-array"),
        pytest.param(_token(RS256, 1), "payload is not a JSON object", id="payload-number"),
        pytest.param(_token(RS256, None), "payload is not a JSON object", id="payload-null"),
        pytest.param(
            _token({"alg": "RS256", "crit": ["exp"], "exp": 1}, {}),
            "critical header",
            id="crit",
        ),
        pytest.param(
            _token({"alg": "RS256", "crit": ["b64"], "b64": False}, {}),
            "critical header",
            id="crit-b64",
        ),
        pytest.param(_token({"alg": "RS256", "b64": False}, {}), "unencoded", id="b64-false"),
        pytest.param(_token({"alg": "RS256", "kid": 7}, {}), "kid", id="kid-number"),
    ],
)
def test_malformed_tokens_are_refused_clearly(
    private_key: rsa.RSAPrivateKey, token: str, message: str
) -> None:
    with pytest.raises(SignatureError, match=message):
        jws.decode(token)
    with pytest.raises(SignatureError, match=message):
        jws.check_signature(token, private_key.public_key())


def test_a_non_canonical_base64url_segment_fails_the_signature_check(
    signer: RSASigner,
) -> None:
    """Spare bits set in the last character: the same bytes, a spelling PyJWT refuses."""
    token = jws.sign_assertion(ASSERTION, signer)
    header, payload, signature = token.split(".")
    last = jws._B64URL_ALPHABET.index(signature[-1].encode())
    assert last & 0b11 == 0  # a 256-byte signature leaves two spare bits in its last character
    twin = f"{header}.{payload}.{signature[:-1]}{chr(jws._B64URL_ALPHABET[last + 1])}"
    assert jws.b64decode(twin.split(".")[2]) == jws.b64decode(signature)
    with pytest.raises(SignatureError, match="not valid base64url"):
        jws.check_signature(twin, signer.private_key.public_key())


DEEP_ARRAY = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 100_000 + b"1" + b"}" * 100_000


@pytest.mark.parametrize(
    ("token", "where"),
    [
        pytest.param(_token(DEEP_ARRAY, {}), "JWS header", id="header-array"),
        pytest.param(_token(DEEP_OBJECT, {}), "JWS header", id="header-object"),
        pytest.param(_token(RS256, DEEP_ARRAY), "JWS payload", id="payload-array"),
        pytest.param(_token(RS256, DEEP_OBJECT), "JWS payload", id="payload-object"),
    ],
)
def test_json_nested_100000_levels_deep_is_a_clear_error(
    private_key: rsa.RSAPrivateKey, token: str, where: str
) -> None:
    assert len(token) < jws.MAX_JWS_BYTES
    with pytest.raises(SignatureError, match=rf"{where} .*deep"):
        jws.decode(token)
    with pytest.raises(SignatureError, match=rf"{where} .*deep"):
        jws.check_signature(token, private_key.public_key())


def test_a_token_over_1_mb_is_refused_before_reading(
    signer: RSASigner,
) -> None:
    header, payload, signature = jws.sign_assertion(ASSERTION, signer).split(".")
    token = f"{header}.{payload + 'A' * jws.MAX_JWS_BYTES}.{signature}"
    assert not jws.looks_like_jws(token)
    with pytest.raises(SignatureError, match="larger than 1 MB"):
        jws.decode(token)
    with pytest.raises(SignatureError, match="larger than 1 MB"):
        jws.check_signature(token, signer.private_key.public_key())


def test_a_key_shorter_than_2048_bits_is_refused_not_warned_about() -> None:
    short = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 (the point)
    token = jws.sign_assertion(ASSERTION, RSASigner(short, KEY_ID))
    with pytest.raises(SignatureError, match="key cannot check"):
        jws.check_signature(token, short.public_key())


# Our PyJWS overrides PyJWT's per-segment base64url check with one written for speed; the two
# must agree on every input, and the method we override must still exist to be overridden.

SEGMENT_BYTES = st.binary(max_size=64) | st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/. ",
    max_size=64,
).map(str.encode)


def _outcome(decoder: Any, segment: bytes) -> bytes | str:
    try:
        return bytes(decoder(segment, "payload"))
    except DecodeError as error:
        return str(error)


def test_pyjwt_still_has_the_segment_check_we_override() -> None:
    assert "_decode_base64url_segment" in vars(PyJWS)


@pytest.mark.parametrize(
    "segment",
    [b"", b"e30", b"e31", b"e30=", b"e3==", b"e30==", b"YQ", b"YR", b"YQ=", b"YQ==", b"YQ===",
     b"Y", b"YWJj", b"YWJj=", b"YW=j", b"+/8", b"-_8", b"-_9", b"a.b", b" YQ", b"\xffYQ"],
)  # fmt: skip
def test_our_segment_check_agrees_with_pyjwts_on_edge_cases(segment: bytes) -> None:
    ours = _outcome(jws._PyJWS._decode_base64url_segment, segment)
    assert ours == _outcome(PyJWS._decode_base64url_segment, segment)


@settings(max_examples=300, deadline=None)
@given(SEGMENT_BYTES | st.binary(max_size=48).map(lambda raw: jws.b64encode(raw).encode()))
def test_our_segment_check_agrees_with_pyjwts(segment: bytes) -> None:
    ours = _outcome(jws._PyJWS._decode_base64url_segment, segment)
    assert ours == _outcome(PyJWS._decode_base64url_segment, segment)
