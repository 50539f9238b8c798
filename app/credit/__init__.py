"""Recertification credit: districts' members, renewal cycles, policies, credit requests,
and the append-only ledger.

A request is verified before any officer sees it (valid, and issued to the teacher's
confirmed e-mail). One assertion is credited at most once per district however it is
presented: requests are unique by the verified assertion's id. Every grant, adjustment and
reversal is a new ledger line with who, when, why, which assertion and the verification
result at the time; nothing in the ledger is ever changed.

Modules, each importing only those above it: ``access`` (who sees which district),
``policies`` (categories, policies, hours), ``cycles`` (renewal cycles), ``memberships``
(members, invitations), ``domains`` (claimed e-mail domains, joining by domain), ``ledger``
(grants, reversals, re-checks), ``requests`` (presenting a badge), ``approvals`` (officers'
decisions), ``reports`` (progress), ``export`` (ledger rows for CSV and HR systems).
"""

from flask import Blueprint

bp = Blueprint("credit", __name__)
