"""Run the 1EdTech Open Badges 2.0 reference validator (PyPI ``openbadges`` 1.1.2) on one input.

    .venv-validator/bin/python tests/validator/run_validator.py <url | jws | @file> [recipient]
    .venv-validator/bin/python tests/validator/run_validator.py --batch INPUTS.json

Prints the validator's JSON report. ``--batch`` reads a JSON list of inputs (each a string as
above, or ``{"id": ..., "source": ..., "recipient": ...}``), verifies them all in this one
process (the validator is slow to start), and prints one JSON list: ``{"id", "report"}`` per
input, in order; an input that makes the validator raise gets a report with ``valid: false`` and
the exception text as its error message. This machine reaches no host but package registries, and
the validator fetches the Open Badges v2 JSON-LD context from w3id.org at run time; the
context ships inside the validator package, so requests for it are answered from that copy.
Open Badges 1.1 documents name the v1 context (``https://w3id.org/openbadges/v1``), which the
validator fetches when it upgrades them; it is answered from ``openbadges_context_v1.json``
beside this file (copied from 1EdTech/openbadges-validator-core
``tests/testfiles/test_components.py``, Apache-2.0).
Every other request (our app on loopback) goes out as usual.
"""

from __future__ import annotations

import collections
import collections.abc
import json
import sys
from pathlib import Path
from typing import Any

# The validator's pinned python-jose 3.0.1 and pytz 2017.2 import these names from
# ``collections``, where Python 3.10 removed them; point them at ``collections.abc``.
for _name in ("Mapping", "MutableMapping", "Sequence", "Iterable", "Callable"):
    setattr(collections, _name, getattr(collections.abc, _name))

import requests  # noqa: E402
from requests.adapters import BaseAdapter  # noqa: E402
from requests.models import Response  # noqa: E402

CONTEXT_PREFIXES = ("https://w3id.org/openbadges", "https://openbadgespec.org/")
V1_CONTEXTS = ("https://w3id.org/openbadges/v1", "https://openbadgespec.org/v1/context.json")
V1_CONTEXT_FILE = Path(__file__).with_name("openbadges_context_v1.json")


class ContextAdapter(BaseAdapter):
    def send(self, request, **kwargs):
        from openbadges.verifier.openbadges_context import OPENBADGES_CONTEXT_V2_DICT

        context = OPENBADGES_CONTEXT_V2_DICT
        if request.url.rstrip("/") in V1_CONTEXTS and V1_CONTEXT_FILE.exists():
            context = json.loads(V1_CONTEXT_FILE.read_text())
        response = Response()
        response.status_code = 200
        response.url = request.url
        response.request = request
        response.headers["Content-Type"] = "application/ld+json"
        response._content = json.dumps(context).encode()
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        pass


_init = requests.Session.__init__


def _session_init(self, *args, **kwargs):
    _init(self, *args, **kwargs)
    for prefix in CONTEXT_PREFIXES:
        self.mount(prefix, ContextAdapter())


requests.Session.__init__ = _session_init  # type: ignore[method-assign]


def _recipient(email: str | None) -> dict[str, str] | None:
    if not email:
        return None
    return {"@context": "https://w3id.org/openbadges/v2", "email": email}


def _verify_one(source: str, recipient: dict[str, str] | None) -> dict[str, Any]:
    from openbadges import verify

    if source.startswith("@"):
        with open(source[1:], "rb") as handle:
            return verify(handle, recipient_profile=recipient)
    return verify(source, recipient_profile=recipient)


def batch(path: str) -> int:
    """Verify every input listed in the JSON file ``path``; print one JSON list of reports."""
    with open(path, encoding="utf-8") as handle:
        inputs = json.load(handle)
    results = []
    for number, item in enumerate(inputs):
        if isinstance(item, str):
            item = {"id": number, "source": item}
        try:
            report = _verify_one(item["source"], _recipient(item.get("recipient"))).get(
                "report", {}
            )
        except Exception as error:  # one bad input must not lose the others' reports
            report = {
                "valid": False,
                "errorCount": 1,
                "messages": [
                    {"messageLevel": "ERROR", "result": f"{type(error).__name__}: {error}"}
                ],
            }
        results.append({"id": item.get("id", number), "report": report})
    print(json.dumps(results, default=str))
    return 0


def main() -> int:
    from openbadges import verify

    source = sys.argv[1]
    if source == "--check":  # the venv is complete: everything imports
        return 0
    if source == "--batch":
        return batch(sys.argv[2])
    recipient = None
    if len(sys.argv) > 2 and sys.argv[2] != "--full":
        recipient = {"@context": "https://w3id.org/openbadges/v2", "email": sys.argv[2]}
    if source.startswith("@"):
        with open(source[1:], "rb") as handle:
            result = verify(handle, recipient_profile=recipient)
    else:
        result = verify(source, recipient_profile=recipient)
    if "--full" in sys.argv:
        print(json.dumps(result, default=str), file=sys.stderr)
    print(json.dumps(result.get("report", {}), default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
