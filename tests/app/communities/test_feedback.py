"""Peer feedback on a draft before submission: she asks one of her communities; its members
read the draft while the request is open and comment against the rubric (words only, never
scores); she reads the comments on her draft page; submitting closes the request; and none
of it ever reaches the official reviewer (review page, review API, the reviewer's download)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from app.communities import feedback, service
from app.db import db
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models.communities import PeerComment, PeerFeedbackRequest
from app.models.credentials import Criterion
from app.submissions import service as submissions
from tests.app.communities.world import Cohort, build_cohort, community, draft
from tests.app.people import sign_in
from tests.app.reviews.world import active_review
from tests.app.submissions.helpers import auth_for

SECRET = "Ben's peer note: try sorting tickets into three piles"


@pytest.fixture
def cohort(app: Any) -> Cohort:
    return build_cohort()


def count(model: Any) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def criteria_of(submission: Any) -> list[int]:
    return list(
        db.session.scalars(
            select(Criterion.id)
            .where(Criterion.version_id == submission.version_id)
            .order_by(Criterion.position)
        )
    )


def asked(cohort: Cohort) -> tuple[Any, Any, PeerFeedbackRequest]:
    made = community(cohort, members=(cohort.ben, cohort.cara))
    mine = draft(cohort.cara, cohort.credential_id)
    request = feedback.ask(cohort.cara, mine.id, {"community_id": made.id, "note": "Question 1?"})
    db.session.commit()
    return made, mine, request


def test_members_read_the_open_draft_and_comment_against_the_rubric(
    cohort: Cohort, client: Any
) -> None:
    _made, mine, request = asked(cohort)
    first, second = criteria_of(mine)[:2]
    sign_in(client, cohort.ben)
    page = client.get(f"/peer-feedback/{request.id}").get_data(as_text=True)
    assert "Cara Cole's draft" in page
    assert "Question 1?" in page
    assert "evidence evidence" in page  # her answers, read only
    file_id = mine.files[0].id
    download = client.get(f"/peer-feedback/{request.id}/files/{file_id}")
    assert download.status_code == 200
    saved = client.submit(
        f"/peer-feedback/{request.id}/comments",
        {f"criterion-{first}": SECRET, f"criterion-{second}": "", "overall": "Strong start."},
    )
    assert saved.status_code == 303
    assert count(PeerComment) == 2
    # She reads them on her draft page, under the criterion.
    sign_in(client, cohort.cara)
    own = client.get(f"/submissions/{mine.id}").get_data(as_text=True)
    assert SECRET.replace("'", "&#39;") in own
    assert "Strong start." in own
    assert "Ben Brook" in own
    # Editing replaces; an empty box takes the comment back.
    feedback.comment(cohort.ben, request.id, {"comments": [{"criterion_id": first, "body": ""}]})
    db.session.commit()
    assert count(PeerComment) == 1


def test_only_members_of_the_community_read_or_comment_and_other_ids_are_404(
    cohort: Cohort, client: Any
) -> None:
    made, mine, request = asked(cohort)
    [first, *_] = criteria_of(mine)
    body = {"comments": [{"criterion_id": first, "body": "Nice."}]}
    for outsider in (cohort.dee, cohort.hal):
        with pytest.raises(NotFound):
            feedback.request_view(outsider, request.id)
        with pytest.raises(NotFound):
            feedback.comment(outsider, request.id, body)
        sign_in(client, outsider)
        assert client.get(f"/peer-feedback/{request.id}").status_code == 404
        assert (
            client.get(f"/peer-feedback/{request.id}/files/{mine.files[0].id}").status_code == 404
        )
        assert client.get(f"/submissions/{mine.id}").status_code == 404
    # A file of another submission is not reachable through this request.
    other = draft(cohort.ben, cohort.credential_id)
    sign_in(client, cohort.ben)
    assert client.get(f"/peer-feedback/{request.id}/files/{other.files[0].id}").status_code == 404
    # She does not answer her own request; she cannot ask about someone else's draft.
    with pytest.raises(Forbidden):
        feedback.comment(cohort.cara, request.id, body)
    with pytest.raises(NotFound):
        feedback.ask(cohort.cara, other.id, {"community_id": made.id})
    # Nor ask a community she is not in.
    elsewhere = community(cohort, title="Elsewhere")
    with pytest.raises(NotFound):
        feedback.ask(cohort.cara, mine.id, {"community_id": elsewhere.id})
    db.session.rollback()
    assert count(PeerComment) == 0
    assert count(PeerFeedbackRequest) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"comments": [{"criterion_id": "FIRST", "body": "Good", "score": 3}]},
        {"comments": [{"criterion_id": "FIRST", "body": "Good", "level_id": 1}]},
        {"overall": "Good", "scores": [{"criterion_id": "FIRST", "level": 2}]},
        {"overall": "Good", "points": 7},
        {"comments": [{"criterion_id": 999999, "body": "Good"}]},
        {"comments": "Good"},
        {"overall": "x" * 3001},
        {"overall": ""},
    ],
)
def test_scores_and_bad_comments_are_refused_through_the_api_and_nothing_is_stored(
    cohort: Cohort, client: Any, body: dict[str, Any]
) -> None:
    _, mine, request = asked(cohort)
    first = criteria_of(mine)[0]
    text = json.dumps(body).replace('"FIRST"', str(first))
    auth = auth_for(client, cohort.ben.email)
    refused = client.post(
        f"/api/v1/peer-feedback/{request.id}/comments",
        data=text,
        headers={**auth, "Content-Type": "application/json"},
    )
    assert refused.status_code == 422, refused.get_json()
    assert count(PeerComment) == 0
    with pytest.raises(InvalidInput):
        feedback.comment(cohort.ben, request.id, json.loads(text))


def test_the_api_asks_and_comments_with_the_communities_scope(cohort: Cohort, client: Any) -> None:
    made = community(cohort, members=(cohort.ben, cohort.cara))
    mine = draft(cohort.cara, cohort.credential_id, complete=False)
    cara = auth_for(client, cohort.cara.email)
    made_request = client.post(
        f"/api/v1/submissions/{mine.id}/peer-feedback-requests",
        json={"community_id": made.id, "note": "The plan"},
        headers=cara,
    )
    assert made_request.status_code == 201, made_request.get_json()
    request_id = made_request.get_json()["id"]
    again = client.post(
        f"/api/v1/submissions/{mine.id}/peer-feedback-requests",
        json={"community_id": made.id},
        headers=cara,
    )
    assert again.status_code == 409
    ben = auth_for(client, cohort.ben.email)
    first = criteria_of(mine)[0]
    said = client.post(
        f"/api/v1/peer-feedback/{request_id}/comments",
        json={"comments": [{"criterion_id": first, "body": "Clear."}], "overall": "Go on."},
        headers=ben,
    )
    assert said.status_code == 201, said.get_json()
    assert sorted(c["body"] for c in said.get_json()["comments"]) == ["Clear.", "Go on."]
    # Someone else's submission id is 404 for the asking route.
    other = client.post(
        f"/api/v1/submissions/{mine.id}/peer-feedback-requests",
        json={"community_id": made.id},
        headers=ben,
    )
    assert other.status_code == 404


def test_submitting_closes_the_request_and_no_more_comments_are_taken(
    cohort: Cohort, client: Any
) -> None:
    _, mine, request = asked(cohort)
    first = criteria_of(mine)[0]
    feedback.comment(cohort.ben, request.id, {"overall": "Before."})
    db.session.commit()
    sign_in(client, cohort.cara)
    done = client.submit(f"/submissions/{mine.id}/submit", page=f"/submissions/{mine.id}")
    assert done.status_code in (302, 303)
    db.session.expire_all()
    assert db.session.get(PeerFeedbackRequest, request.id).closed_at is not None
    with pytest.raises(NotFound):
        feedback.comment(
            cohort.ben, request.id, {"comments": [{"criterion_id": first, "body": "Late"}]}
        )
    sign_in(client, cohort.ben)
    assert client.get(f"/peer-feedback/{request.id}").status_code == 404
    assert client.get(f"/peer-feedback/{request.id}/files/{mine.files[0].id}").status_code == 404
    late = client.post(
        f"/api/v1/peer-feedback/{request.id}/comments",
        json={"overall": "Late"},
        headers=auth_for(client, cohort.ben.email),
    )
    assert late.status_code == 404
    # She still reads what was said before, on her (now submitted) page.
    sign_in(client, cohort.cara)
    assert "Before." in client.get(f"/submissions/{mine.id}").get_data(as_text=True)
    with pytest.raises(Conflict):
        feedback.ask(cohort.cara, mine.id, {"community_id": request.community_id})


def test_peer_feedback_never_reaches_the_reviewer(cohort: Cohort, client: Any) -> None:
    _, mine, request = asked(cohort)
    first = criteria_of(mine)[0]
    feedback.comment(
        cohort.ben,
        request.id,
        {"comments": [{"criterion_id": first, "body": SECRET}], "overall": SECRET + " overall"},
    )
    db.session.commit()
    cohort.world.reviewer("rev@hill.test")
    submissions.submit(cohort.cara, submissions.get_own(cohort.cara, mine.id))
    db.session.commit()
    review = active_review(mine)
    assert review is not None
    assert review.reviewer is not None
    auth = auth_for(client, "rev@hill.test")
    listing = client.get("/api/v1/reviews", headers=auth).get_data(as_text=True)
    detail = client.get(f"/api/v1/reviews/{review.id}", headers=auth)
    assert detail.status_code == 200
    sign_in(client, review.reviewer)
    page = client.get(f"/reviews/{review.id}")
    assert page.status_code == 200
    queue = client.get("/reviews").get_data(as_text=True)
    for text in (listing, detail.get_data(as_text=True), page.get_data(as_text=True), queue):
        assert "sorting tickets" not in text
        assert "Ben Brook" not in text
        assert "peer" not in text.lower()
        assert "Exit tickets cohort" not in text
    # The reviewer is no member: the request and its community are 404 to her.
    assert client.get(f"/peer-feedback/{request.id}").status_code == 404
    assert client.get(f"/communities/{request.community_id}").status_code == 404


def test_leaving_the_community_closes_her_requests(cohort: Cohort) -> None:
    made, _mine, request = asked(cohort)
    service.leave(cohort.cara, made.id)
    db.session.commit()
    with pytest.raises(NotFound):
        feedback.request_view(cohort.ben, request.id)
