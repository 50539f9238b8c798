"""Blind review (nothing names the teacher) and the issuer admin's pool, queues and
inter-rater report."""

from __future__ import annotations

import io
import json
from typing import Any

from app.db import db
from app.reviews import pool
from app.reviews import service as reviews
from app.submissions import service as submissions
from tests.app.people import sign_in
from tests.app.reviews.world import PDF, WORDS, active_review, build, full_scores
from tests.app.submissions.helpers import auth_for

IDENTIFYING = ("Jordan Quill", "jordan.quill@lake.test", "jordan.quill", "Quill")


def _identifiable_submission(world: Any) -> Any:
    teacher = world.teacher("jordan.quill@lake.test", school=1)
    teacher.name = "Jordan Quill"
    submission = submissions.start(teacher, world.credential_id)
    for prompt in submission.version.prompts:
        if prompt.kind == "file":
            submissions.add_file(
                teacher, submission, prompt.id, io.BytesIO(PDF), "Jordan Quill North School.pdf"
            )
        else:
            submissions.save_answer(teacher, submission, prompt.id, {"text": WORDS})
    submissions.submit(teacher, submission)
    db.session.commit()
    return submission


def test_nothing_the_reviewer_sees_names_the_teacher(app: Any, client: Any) -> None:
    world = build()
    world.reviewer("rev@hill.test")
    submission = _identifiable_submission(world)
    school = world.district.schools[1].name
    hidden = (*IDENTIFYING, school, world.district.name, "North School.pdf")
    review = active_review(submission)
    auth = auth_for(client, "rev@hill.test")

    listing = client.get("/api/v1/reviews", headers=auth).get_data(as_text=True)
    detail = client.get(f"/api/v1/reviews/{review.id}", headers=auth)
    body = detail.get_json()
    assert body["prompts"][1]["files"][0]["name"] == "Evidence 1.pdf"
    sign_in(client, review.reviewer)
    page = client.get(f"/reviews/{review.id}").get_data(as_text=True)
    queue = client.get("/reviews").get_data(as_text=True)
    file_id = body["prompts"][1]["files"][0]["id"]
    download = client.get(f"/reviews/{review.id}/files/{file_id}")
    assert download.status_code == 200
    assert download.get_data() == PDF
    assert 'filename="Evidence 1.pdf"' in download.headers["Content-Disposition"]
    for text in (listing, json.dumps(body), page, queue, download.headers["Content-Disposition"]):
        for secret in hidden:
            assert secret not in text, secret
    assert "Question design" in page  # the rubric is there


def test_issuer_admin_sees_queues_and_manages_the_pool(app: Any, client: Any) -> None:
    world = build()
    profile = world.reviewer("rev@hill.test", capacity=1)
    for n in range(3):
        world.submit(world.teacher(f"t{n}@lake.test"))
    sign_in(client, world.admin)
    page = client.get(f"/reviews/admin/{world.issuer.slug}").get_data(as_text=True)
    assert "Waiting for a reviewer</dt><dd>2" in page
    assert "1 of 1 open" in page
    stats = pool.queue_stats(world.admin, world.issuer)
    assert (stats.unassigned, stats.by_status["assigned"], stats.overdue) == (2, 1, 0)

    saved = client.submit(
        f"/reviews/admin/{world.issuer.slug}/reviewers/{profile.id}",
        {"capacity": "3", "away_until": ""},
        page=f"/reviews/admin/{world.issuer.slug}",
    )
    assert saved.status_code == 302
    stats = pool.queue_stats(world.admin, world.issuer)
    assert (stats.unassigned, stats.by_status["assigned"]) == (0, 3)  # the queue drained
    too_low = client.submit(
        f"/reviews/admin/{world.issuer.slug}/reviewers/{profile.id}",
        {"capacity": "1"},
        page=f"/reviews/admin/{world.issuer.slug}",
    )
    assert too_low.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(profile), profile.id).capacity == 3  # refused: 3 are open


def test_another_issuers_admin_cannot_see_or_change_this_pool(app: Any, client: Any) -> None:
    from app.models.orgs import Role
    from tests.app.people import grant, make_issuer, make_user

    world = build()
    profile = world.reviewer("rev@hill.test")
    other_issuer = make_issuer("rival")
    outsider = make_user("admin@rival.test")
    grant(outsider, Role.ISSUER_ADMIN, other_issuer)
    db.session.commit()
    sign_in(client, outsider)
    assert client.get(f"/reviews/admin/{world.issuer.slug}").status_code == 403
    response = client.submit(
        f"/reviews/admin/{world.issuer.slug}/reviewers/{profile.id}",
        {"capacity": "50"},
        page=f"/reviews/admin/{other_issuer.slug}",
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(type(profile), profile.id).capacity == 5


def test_inter_rater_report_gives_agreement_and_kappa(app: Any) -> None:
    world = build()
    world.set_policy(second_opinion_percent=100)
    world.reviewer("a@hill.test", capacity=10)
    world.reviewer("b@hill.test", capacity=10)
    world.reviewer("senior@hill.test", senior=True, capacity=10)
    # (first reviewer's level, second reviewer's level) on every criterion, per submission.
    plan = [(2, 2), (3, 3), (1, 1), (2, 3), (0, 0), (3, 2)]
    for n, (first, second) in enumerate(plan):
        submission = world.submit(world.teacher(f"t{n}@lake.test"))
        for kind, position in (("primary", first), ("second", second)):
            review = active_review(submission, kind)
            reviews.save_scores(
                review.reviewer, review, full_scores(review, position), "Noted.", final=True
            )
            db.session.commit()
    rows = pool.inter_rater(world.admin, world.issuer)
    by_name = {r.criterion: r for r in rows}
    question = by_name["Question design"]
    assert question.pairs == 6
    assert question.exact_agreement == round(4 / 6, 3)
    # Cohen's kappa by hand: p_o = 4/6; marginals a = {0:1, 1:1, 2:2, 3:2}, b = {0:1, 1:1,
    # 2:2, 3:2}: p_e = (1 + 1 + 4 + 4) / 36 = 10/36; kappa = (24/36 - 10/36) / (26/36).
    assert question.kappa == round(14 / 26, 3)
    decision = by_name[pool.DECISION_ROW]
    assert decision.pairs == 6
    # pass/not yet: (P,P) (P,P) (N,N) (P,P) (N,N) (P,P): perfect agreement.
    assert (decision.exact_agreement, decision.kappa) == (1.0, 1.0)
    assert pool.cohens_kappa([]) is None
