"""The community page lists its open requests for feedback, so a colleague finds a draft to
comment on (the PLC journey found none): members only, gone once she submits or leaves, and
the same statements at any size."""

from __future__ import annotations

from typing import Any

import pytest

from app.communities import feedback, service
from app.db import db
from app.pagination import PageArgs
from app.submissions import service as submissions
from tests.app.communities.world import Cohort, build_cohort, community, draft
from tests.app.people import sign_in
from tests.queries import count_statements


@pytest.fixture
def cohort(app: Any) -> Cohort:
    return build_cohort()


def test_members_find_open_drafts_on_the_community_page(cohort: Cohort, client: Any) -> None:
    made = community(cohort, members=(cohort.ben, cohort.cara))
    mine = draft(cohort.cara, cohort.credential_id)
    request = feedback.ask(cohort.cara, mine.id, {"community_id": made.id, "note": "Question 1?"})
    db.session.commit()
    link = f"/peer-feedback/{request.id}"

    sign_in(client, cohort.ben)
    page = client.get(f"/communities/{made.id}").get_data(as_text=True)
    assert "Drafts asking for feedback" in page
    assert link in page
    assert "Cara Cole: " in page
    assert "Question 1?" in page
    sign_in(client, cohort.cara)
    assert "Your draft: " in client.get(f"/communities/{made.id}").get_data(as_text=True)
    # Someone outside the community never sees it (the page itself is not found).
    sign_in(client, cohort.dee)
    assert client.get(f"/communities/{made.id}").status_code == 404
    assert feedback.open_requests(service.view(cohort.ana, made.id), PageArgs()).total == 1

    # Submitted: the request closes and the draft leaves the list.
    submissions.submit(cohort.cara, mine)
    db.session.commit()
    sign_in(client, cohort.ben)
    page = client.get(f"/communities/{made.id}").get_data(as_text=True)
    assert link not in page
    assert "No draft is waiting for feedback." in page


def test_a_request_of_a_member_who_left_is_not_listed(cohort: Cohort) -> None:
    made = community(cohort, members=(cohort.ben, cohort.cara))
    mine = draft(cohort.cara, cohort.credential_id)
    feedback.ask(cohort.cara, mine.id, {"community_id": made.id})
    db.session.commit()
    assert feedback.open_requests(service.view(cohort.ben, made.id), PageArgs()).total == 1
    service.leave(cohort.cara, made.id)
    db.session.commit()
    assert feedback.open_requests(service.view(cohort.ben, made.id), PageArgs()).total == 0


def test_the_list_costs_the_same_statements_at_any_size(cohort: Cohort) -> None:
    made = community(cohort, members=(cohort.ben, cohort.cara, cohort.dee))

    def statements() -> tuple[int, int]:
        found = service.view(cohort.ana, made.id)
        db.session.expire_all()
        with count_statements(db.engine) as counted:
            page = feedback.open_requests(found, PageArgs(1, 10))
            [(r.submission.user.name, r.submission.version.title) for r in page.items]
        return counted.count, len(page.items)

    first = draft(cohort.cara, cohort.credential_id)
    feedback.ask(cohort.cara, first.id, {"community_id": made.id})
    db.session.commit()
    few, shown = statements()
    assert shown == 1
    for person in (cohort.ben, cohort.dee):
        mine = draft(person, cohort.credential_id)
        feedback.ask(person, mine.id, {"community_id": made.id})
    db.session.commit()
    many, shown = statements()
    assert shown == 3
    assert many == few, (few, many)
