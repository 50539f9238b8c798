"""What members show: nothing until each turns it on, then exactly what she chose (her
drafts' credentials, her badges, her goals); the facilitators' progress view names only the
members who share their progress with them; lists cost the same statements at any size."""

from __future__ import annotations

from typing import Any

import pytest

from app.communities import service
from app.db import db
from app.errors import InvalidInput, NotFound
from app.learning import plans
from app.pagination import PageArgs
from app.submissions import service as submissions
from tests.app.communities.world import Cohort, build_cohort, community, draft
from tests.app.people import make_user, sign_in
from tests.app.submissions.helpers import auth_for
from tests.queries import count_statements


@pytest.fixture
def cohort(app: Any) -> Cohort:
    return build_cohort()


def _goal(teacher: Any, what: str) -> None:
    plan = plans.create_plan(teacher, {"title": "This year"})
    plans.add_goal(
        teacher,
        plan.id,
        {
            "what": what,
            "indicator": "mastery",
            "unit": "%",
            "target_value": 70,
            "target_date": "2099-01-01",
        },
    )


def test_sharing_starts_off_and_the_page_shows_exactly_what_each_member_chose(
    cohort: Cohort, client: Any
) -> None:
    made = community(cohort, members=(cohort.ben, cohort.cara))
    draft(cohort.ben, cohort.credential_id, complete=False)
    draft(cohort.cara, cohort.credential_id, complete=False)
    _goal(cohort.ben, "Ben wants every student to write an exit ticket")
    _goal(cohort.cara, "Cara wants fewer students lost by Friday")
    db.session.commit()
    member = service.view(cohort.ben, made.id).member
    assert member is not None
    assert (
        member.share_drafts,
        member.share_badges,
        member.share_goals,
        member.share_progress,
    ) == (
        False,
        False,
        False,
        False,
    )
    sign_in(client, cohort.ana)
    page = client.get(f"/communities/{made.id}").get_data(as_text=True)
    assert "Ben Brook" in page
    assert "Cara Cole" in page
    assert "Working on:" not in page
    assert "Goals:" not in page
    # Ben shows his drafts; Cara shows her goals; neither shows the other.
    sign_in(client, cohort.ben)
    saved = client.submit(
        f"/communities/{made.id}/sharing", {"share_drafts": "y"}, page=f"/communities/{made.id}"
    )
    assert saved.status_code == 303
    service.set_sharing(cohort.cara, made.id, {"share_goals": True})
    db.session.commit()
    sign_in(client, cohort.ana)
    page = client.get(f"/communities/{made.id}").get_data(as_text=True)
    assert page.count("Working on: Exit tickets for formative assessment") == 1
    assert "Cara wants fewer students lost" in page
    assert "Ben wants every student" not in page
    body = client.get(
        f"/api/v1/communities/{made.id}", headers=auth_for(client, cohort.ana.email)
    ).get_json()
    shows = {m["person"]["name"]: m["shows"] for m in body["members"]["members"]}
    assert shows["Ben Brook"] == {"drafts": ["Exit tickets for formative assessment"]}
    assert shows["Cara Cole"] == {"goals": ["Cara wants fewer students lost by Friday"]}
    assert shows["Ana Alvarez"] == {}


def test_bad_sharing_choices_are_refused_and_outsiders_have_no_membership(
    cohort: Cohort,
) -> None:
    made = community(cohort, members=(cohort.ben,))
    for data in ({"share_drafts": "yes"}, {"share_salary": True}):
        with pytest.raises(InvalidInput):
            service.set_sharing(cohort.ben, made.id, data)
        db.session.rollback()
    with pytest.raises(NotFound):
        service.set_sharing(cohort.dee, made.id, {"share_drafts": True})


def test_the_progress_view_names_only_members_who_share_it_with_the_facilitators(
    cohort: Cohort, client: Any
) -> None:
    made = community(cohort, members=(cohort.ben, cohort.cara, cohort.dee))
    draft(cohort.ben, cohort.credential_id, complete=False)
    done = draft(cohort.cara, cohort.credential_id)
    submissions.submit(cohort.cara, done)
    draft(cohort.dee, cohort.credential_id, complete=False)  # she does not share
    for teacher in (cohort.ben, cohort.cara):
        service.set_sharing(teacher, made.id, {"share_progress": True})
    db.session.commit()
    found = service.progress(cohort.ana, made.id, PageArgs())
    stages = {m.user.name: stage for m, stage in found.rows.items}
    assert stages == {"Ben Brook": "started a draft", "Cara Cole": "submitted"}
    assert (found.sharing, found.not_sharing) == (2, 2)  # Ana and Dee do not share
    assert found.counts == {
        "earned the badge": 0,
        "submitted": 1,
        "started a draft": 1,
        "not started": 0,
    }
    sign_in(client, cohort.ana)
    page = client.get(f"/communities/{made.id}/progress").get_data(as_text=True)
    assert "Ben Brook" in page
    assert "Cara Cole" in page
    assert "Dee" not in page
    assert "2 members do not share" in page
    # Members who are not facilitators do not see it; outsiders do not find it.
    sign_in(client, cohort.ben)
    assert client.get(f"/communities/{made.id}/progress").status_code == 403
    sign_in(client, cohort.hal)
    assert client.get(f"/communities/{made.id}/progress").status_code == 404


def test_the_community_page_costs_the_same_statements_at_any_size(
    cohort: Cohort, client: Any
) -> None:
    made = community(cohort, members=(cohort.ben, cohort.cara))
    for teacher in (cohort.ben, cohort.cara):
        service.set_sharing(
            teacher, made.id, {"share_drafts": True, "share_badges": True, "share_goals": True}
        )
    draft(cohort.ben, cohort.credential_id, complete=False)
    _goal(cohort.cara, "A goal")
    db.session.commit()
    sign_in(client, cohort.ana)
    url = f"/communities/{made.id}"
    client.get(url)
    with count_statements(db.engine) as small:
        assert client.get(url).status_code == 200
    for n in range(15):
        extra = make_user(f"extra{n}@lake.test", school=cohort.world.district.schools[0])
        service.invite(cohort.ana, made.id, extra.email)
        service.join(extra, made.id)
        service.set_sharing(
            extra, made.id, {"share_drafts": True, "share_badges": True, "share_goals": True}
        )
        draft(extra, cohort.credential_id, complete=False)
        _goal(extra, f"Goal {n}")
    for n in range(5):
        asking = make_user(f"asking{n}@lake.test", school=cohort.world.district.schools[0])
        service.invite(cohort.ana, made.id, f"pending{n}@lake.test")
        db.session.flush()
        _ = asking
    db.session.commit()
    with count_statements(db.engine) as large:
        assert client.get(url).status_code == 200
    assert large.count == small.count, large.sql
    listing = "/communities"
    client.get(listing)
    with count_statements(db.engine) as few:
        client.get(listing)
    for n in range(12):
        community(cohort, title=f"C{n}", visibility="listed")
    with count_statements(db.engine) as many:
        client.get(listing)
    assert many.count == few.count
