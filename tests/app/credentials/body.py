"""A complete credential body, as the API and the JSON import take it."""

from __future__ import annotations

import copy
from typing import Any

LEVELS = [
    {"name": "Not yet", "descriptor": "Missing or unclear.", "points": 0},
    {"name": "Developing", "descriptor": "Partly there.", "points": 1},
    {"name": "Proficient", "descriptor": "Clear and consistent.", "points": 2},
    {"name": "Exemplary", "descriptor": "Clear, consistent, and student-driven.", "points": 3},
]

BODY: dict[str, Any] = {
    "slug": "exit-tickets",
    "title": "Exit tickets for formative assessment",
    "competency": "The educator uses exit tickets to check understanding and adjust teaching.",
    "key_method": "Ask one or two targeted questions at the end of a lesson; sort the answers.",
    "method_components": "Write the question. Collect answers. Sort them. Re-teach.",
    "research_resources": [
        {"title": "Inside the black box", "url": "https://example.org/black-box"}
    ],
    "alignments": [
        {
            "framework": "InTASC",
            "code": "6",
            "url": "https://example.org/intasc/6",
            "name": "Assessment",
        }
    ],
    "tags": ["Formative Assessment", "exit tickets"],
    "grade_bands": ["3-5", "6-8"],
    "estimated_hours": 8,
    "validity_years": 5,
    "pass_min_level": 2,
    "prompts": [
        {
            "key": "plan",
            "kind": "text",
            "label": "Your exit ticket and why",
            "min_words": 50,
            "max_words": 500,
        },
        {
            "key": "work",
            "kind": "file",
            "label": "Three student samples",
            "allowed_kinds": ["pdf", "png"],
            "max_mb": 10,
        },
        {
            "key": "reflect",
            "kind": "text",
            "label": "What you changed",
            "min_words": 50,
            "max_words": 500,
        },
    ],
    "criteria": [
        {"title": "Question design", "prompts": ["plan"], "levels": LEVELS},
        {"title": "Analysis of evidence", "prompts": ["work"], "levels": LEVELS},
        {"title": "Instructional response", "prompts": ["reflect", "work"], "levels": LEVELS},
    ],
}


def body(issuer_id: int, **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(BODY)
    data["issuer_id"] = issuer_id
    data.update(changes)
    return data
