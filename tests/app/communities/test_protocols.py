"""Protocol runs: the built-in protocols' turn order (who speaks in which step, warm and cool
feedback marked), the run's facilitator moving it on and closing it after the presenter's
reflection, the closed run as a read-only record; a presenter's draft read through the
peer-feedback rule; members only (404 for anyone else), through the pages and the API."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from app.communities import protocols
from app.db import db
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models.communities import PeerFeedbackRequest
from app.models.protocols import ProtocolContribution, ProtocolRun
from app.submissions import service as submissions
from tests.app.communities.world import Cohort, build_cohort, community, draft
from tests.app.people import sign_in
from tests.app.submissions.helpers import auth_for


@pytest.fixture
def cohort(app: Any) -> Cohort:
    return build_cohort()


def count(model: Any) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_every_built_in_protocol_ends_with_the_presenters_reflection() -> None:
    assert set(protocols.PROTOCOLS) == {"tuning", "consultancy", "student-work"}
    for protocol in protocols.PROTOCOLS.values():
        assert protocol.steps[0].speakers == (protocols.PRESENTER,)
        assert protocol.steps[-1].speakers == (protocols.PRESENTER,)
    tones = [s.tone for s in protocols.PROTOCOLS["tuning"].steps]
    assert tones == [None, None, "warm", "cool", None]


def test_the_tuning_protocol_takes_turns_in_order_and_leaves_a_record(cohort: Cohort) -> None:
    made = community(cohort, members=(cohort.ben, cohort.cara))
    cid = made.id
    run = protocols.start(
        cohort.ana,
        cid,
        {
            "protocol": "tuning",
            "presenter_id": cohort.ben.id,
            "title": "My exit-ticket routine",
            "text": "Focusing question: do my tickets show who needs re-teaching?",
        },
    )
    db.session.commit()
    ben, cara, ana = cohort.ben, cohort.cara, cohort.ana

    def say(user: Any, body: str, tone: str | None = None) -> ProtocolContribution:
        made_turn = protocols.contribute(user, cid, run.id, {"body": body, "tone": tone})
        db.session.commit()
        return made_turn

    # 1 Presentation: the presenter speaks, members listen.
    with pytest.raises(Conflict, match="the presenter speak"):
        say(cara, "A question already")
    db.session.rollback()
    say(ben, "Here are my tickets and my question.")
    with pytest.raises(Forbidden):  # Cara neither runs it nor facilitates the community
        protocols.advance(cara, cid, run.id)
    db.session.rollback()
    with pytest.raises(Conflict):  # the run's facilitator must close at the end only
        protocols.close(ana, cid, run.id)
    db.session.rollback()
    protocols.advance(ana, cid, run.id, 0)
    db.session.commit()
    with pytest.raises(Conflict, match="moved on"):  # a double click: the step she saw is gone
        protocols.advance(ana, cid, run.id, 0)
    db.session.rollback()
    # 2 Clarifying questions: members ask, the presenter answers.
    say(cara, "How long do students get?")
    say(ben, "Three minutes.")
    protocols.advance(ana, cid, run.id, 1)
    db.session.commit()
    # 3 Warm feedback: members only, marked warm whatever they send.
    with pytest.raises(Conflict):
        say(ben, "I like my own work")
    db.session.rollback()
    with pytest.raises(InvalidInput):
        say(cara, "Too long", "cool")
    db.session.rollback()
    warm = say(cara, "The question is sharp.")
    assert warm.tone == "warm"
    protocols.advance(ana, cid, run.id, 2)
    db.session.commit()
    # 4 Cool feedback.
    cool = say(ana, "I wonder what a fourth question would add.")
    assert cool.tone == "cool"
    protocols.advance(ana, cid, run.id, 3)
    db.session.commit()
    # 5 The presenter reflects; members listen.
    with pytest.raises(Conflict):
        say(cara, "One more thing")
    db.session.rollback()
    say(ben, "I will add a why-question.")
    with pytest.raises(Conflict, match="last step"):
        protocols.advance(ana, cid, run.id, 4)
    db.session.rollback()
    protocols.close(ana, cid, run.id)
    db.session.commit()
    # A read-only record.
    with pytest.raises(Conflict, match="closed"):
        say(ben, "After the end")
    db.session.rollback()
    with pytest.raises(Conflict):
        protocols.advance(ana, cid, run.id)
    db.session.rollback()
    _, closed = protocols.run_view(cara, cid, run.id)
    record = protocols.contributions(closed)
    assert [[(t.author_id, t.tone) for t in step] for step in record] == [
        [(ben.id, None)],
        [(cara.id, None), (ben.id, None)],
        [(cara.id, "warm")],
        [(ana.id, "cool")],
        [(ben.id, None)],
    ]
    assert count(ProtocolContribution) == 6


def test_a_member_runs_a_protocol_on_her_draft_through_the_peer_feedback_rule(
    cohort: Cohort, client: Any
) -> None:
    made = community(cohort, members=(cohort.ben, cohort.cara))
    mine = draft(cohort.ben, cohort.credential_id)
    # Cara cannot present Ben's draft, and Ben cannot be named presenter with it by another.
    with pytest.raises(InvalidInput):
        protocols.start(
            cohort.cara,
            made.id,
            {
                "protocol": "tuning",
                "presenter_id": cohort.ben.id,
                "title": "Ben's draft",
                "submission_id": mine.id,
            },
        )
    db.session.rollback()
    with pytest.raises(NotFound):  # not her draft
        protocols.start(
            cohort.cara, made.id, {"protocol": "tuning", "title": "X", "submission_id": mine.id}
        )
    db.session.rollback()
    # Ben, a member (not a facilitator), runs one on his own draft.
    sign_in(client, cohort.ben)
    page = f"/communities/{made.id}/protocols"
    started = client.submit(
        page,
        {
            "protocol": "consultancy",
            "presenter": str(cohort.ben.id),
            "title": "Is my reflection specific enough?",
            "submission": str(mine.id),
        },
    )
    assert started.status_code == 303, started.get_data(as_text=True)[:2000]
    run = db.session.scalar(select(ProtocolRun))
    assert run is not None
    assert run.facilitator_id == cohort.ben.id
    request = db.session.get(PeerFeedbackRequest, run.feedback_request_id)
    assert request is not None
    assert request.is_open
    sign_in(client, cohort.cara)
    shown = client.get(started.headers["Location"]).get_data(as_text=True)
    assert f"/peer-feedback/{request.id}" in shown
    assert client.get(f"/peer-feedback/{request.id}").status_code == 200
    # Outsiders: 404 on every page and API of the run.
    sign_in(client, cohort.dee)
    assert client.get(page).status_code == 404
    assert client.get(started.headers["Location"]).status_code == 404
    dee = auth_for(client, cohort.dee.email)
    api = f"/api/v1/communities/{made.id}/protocol-runs"
    assert client.get(api, headers=dee).status_code == 404
    assert client.get(f"{api}/{run.id}", headers=dee).status_code == 404
    refused = client.post(f"{api}/{run.id}/contributions", json={"body": "Hi"}, headers=dee)
    assert refused.status_code == 404
    # Submitting the draft closes the request: the run shows it no longer.
    submissions.submit(cohort.ben, db.session.get(type(mine), mine.id))
    db.session.commit()
    sign_in(client, cohort.cara)
    later = client.get(started.headers["Location"]).get_data(as_text=True)
    assert "it is no longer shown" in later
    assert client.get(f"/peer-feedback/{request.id}").status_code == 404


def test_the_pages_and_the_api_follow_the_same_turns(cohort: Cohort, client: Any) -> None:
    made = community(cohort, members=(cohort.ben, cohort.cara))
    ana = auth_for(client, cohort.ana.email)
    cara = auth_for(client, cohort.cara.email)
    api = f"/api/v1/communities/{made.id}/protocol-runs"
    bad = client.post(api, json={"protocol": "debate", "title": "X", "text": "Y"}, headers=ana)
    assert bad.status_code == 422
    assert count(ProtocolRun) == 0
    started = client.post(
        api,
        json={
            "protocol": "student-work",
            "presenter_id": cohort.cara.id,
            "title": "Fractions tickets",
            "link": "https://example.org/tickets.pdf",
        },
        headers=ana,
    )
    assert started.status_code == 201, started.get_json()
    body = started.get_json()
    run_id = body["id"]
    assert [s["name"] for s in body["steps"]][-1] == "Presenter's reflection"
    turn = f"{api}/{run_id}/contributions"
    assert client.post(turn, json={"body": "Too early"}, headers=ana).status_code == 409
    assert client.post(turn, json={"body": "Five tickets."}, headers=cara).status_code == 201
    steps = f"{api}/{run_id}/steps"
    assert client.post(steps, json={"action": "advance"}, headers=cara).status_code == 403
    for expected in range(3):
        moved = client.post(steps, json={"action": "advance", "step": expected}, headers=ana)
        assert moved.status_code == 200, moved.get_json()
    # "Implications" lets each member mark her feedback.
    assert client.post(turn, json={"body": "Build on bars"}, headers=ana).status_code == 422
    marked = client.post(turn, json={"body": "Build on bars", "tone": "warm"}, headers=ana)
    assert marked.status_code == 201
    assert marked.get_json()["tone"] == "warm"
    # The page shows the current step to the presenter, who listens now.
    sign_in(client, cohort.cara)
    page = client.get(f"/communities/{made.id}/protocols/{run_id}").get_data(as_text=True)
    assert "Now: Implications for teaching" in page
    assert "Your turn comes in another step" in page
    assert "Build on bars" in page
    sign_in(client, cohort.ana)
    url = f"/communities/{made.id}/protocols/{run_id}"
    moved = client.submit(url + "/advance", {"step": "3"}, page=url)
    assert moved.status_code == 303
    sign_in(client, cohort.cara)
    said = client.submit(url + "/contributions", {"body": "I will model one explanation."})
    assert said.status_code == 303
    sign_in(client, cohort.ana)
    closed = client.submit(url + "/close", {}, page=url)
    assert closed.status_code == 303
    record = client.get(f"{api}/{run_id}", headers=cara).get_json()
    assert record["closed_at"] is not None
    assert [len(s["contributions"]) for s in record["steps"]] == [1, 0, 0, 1, 1]
    listing = client.get(api, headers=cara).get_json()
    assert [r["id"] for r in listing["runs"]] == [run_id]
    assert {p["slug"] for p in listing["protocols"]} == set(protocols.PROTOCOLS)
