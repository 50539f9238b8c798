"""Run the 1EdTech Open Badges 2.0 reference validator (PyPI ``openbadges`` 1.1.2) on one input.

    .venv-validator/bin/python tests/validator/run_validator.py <url | jws | @file> [recipient]

Prints the validator's JSON report. This machine reaches no host but package registries, and
the validator fetches the Open Badges v2 JSON-LD context from w3id.org at run time; the
context ships inside the validator package, so requests for it are answered from that copy.
Every other request (our app on loopback) goes out as usual.
"""

from __future__ import annotations

import collections
import collections.abc
import json
import sys

# The validator's pinned python-jose 3.0.1 and pytz 2017.2 import these names from
# ``collections``, where Python 3.10 removed them; point them at ``collections.abc``.
for _name in ("Mapping", "MutableMapping", "Sequence", "Iterable", "Callable"):
    setattr(collections, _name, getattr(collections.abc, _name))

import requests  # noqa: E402
from requests.adapters import BaseAdapter  # noqa: E402
from requests.models import Response  # noqa: E402

CONTEXT_PREFIXES = ("https://w3id.org/openbadges", "https://openbadgespec.org/")


class ContextAdapter(BaseAdapter):
    def send(self, request, **kwargs):  # type: ignore[no-untyped-def]
        from openbadges.verifier.openbadges_context import OPENBADGES_CONTEXT_V2_DICT

        response = Response()
        response.status_code = 200
        response.url = request.url
        response.request = request
        response.headers["Content-Type"] = "application/ld+json"
        response._content = json.dumps(OPENBADGES_CONTEXT_V2_DICT).encode()
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        pass


_init = requests.Session.__init__


def _session_init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
    _init(self, *args, **kwargs)
    for prefix in CONTEXT_PREFIXES:
        self.mount(prefix, ContextAdapter())


requests.Session.__init__ = _session_init  # type: ignore[method-assign]


def main() -> int:
    from openbadges import verify

    source = sys.argv[1]
    if source == "--check":  # the venv is complete: everything imports
        return 0
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
