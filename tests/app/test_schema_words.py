"""marshmallow's field messages reach an API client in the request's language
(app/schema_words.py)."""

from __future__ import annotations

from typing import Any

from app.schema_words import translate


def _bad_token_request(client: Any, language: str | None) -> dict[str, Any]:
    headers = {"Accept-Language": language} if language else {}
    answer = client.post(
        "/api/v1/auth/token", json={"email": "not an address", "extra": 1}, headers=headers
    )
    assert answer.status_code == 422
    fields: dict[str, Any] = answer.get_json()["error"]["fields"]
    return fields


def test_english_clients_read_marshmallows_own_words(client: Any) -> None:
    fields = _bad_token_request(client, None)
    assert fields["password"] == ["Missing data for required field."]
    assert fields["email"] == ["Not a valid email address."]


def test_spanish_clients_read_the_same_checks_in_spanish(client: Any) -> None:
    fields = _bad_token_request(client, "es")
    assert fields["password"] == ["Falta este dato obligatorio."]
    assert fields["email"] == ["No es una dirección de correo electrónico válida."]


def test_messages_with_values_keep_them_and_unknown_ones_pass_through(app: Any) -> None:
    with app.test_request_context(headers={"Accept-Language": "es"}):
        assert translate(
            {
                "title": ["Longer than maximum length 200."],
                "hours": ["Must be greater than or equal to 0 and less than or equal to 40."],
                "kind": ["Must be one of: a, b."],
                "nested": {"0": ["Not a valid integer."]},
                "own": ["Our own words, already marked."],
            }
        ) == {
            "title": ["Supera la longitud máxima de 200."],
            "hours": ["Debe ser al menos 0 y como máximo 40."],
            "kind": ["Debe ser uno de estos valores: a, b."],
            "nested": {"0": ["No es un número entero válido."]},
            "own": ["Our own words, already marked."],
        }
