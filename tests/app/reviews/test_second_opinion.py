"""Second opinions and adjudication: independent reviewers, one final decision for the teacher."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.db import db
from app.models.reviews import Review, ReviewStatus
from app.models.submissions import Submission, SubmissionStatus
from app.reviews import service as reviews
from app.reviews.service import needs_second_opinion
from tests.app.reviews.world import active_review, build, full_scores


def _score(submission: Submission, kind: str, position: int, comment: str) -> Review:
    review = active_review(submission, kind)
    assert review is not None
    assert review.status == ReviewStatus.ASSIGNED, f"{kind} review is {review.status}"
    reviews.save_scores(
        review.reviewer, review, full_scores(review, position, comment), comment, final=True
    )
    db.session.commit()
    return review


def test_agreeing_second_opinion_concludes_with_both_reviews(app: Any) -> None:
    world = build()
    world.set_policy(second_opinion_percent=100)
    first = world.reviewer("a@hill.test")
    second = world.reviewer("b@hill.test")
    submission = world.submit(world.teacher("t@lake.test"))
    one = _score(submission, "primary", 2, "Meets it.")
    db.session.expire_all()
    assert db.session.get(Submission, submission.id).status == SubmissionStatus.IN_REVIEW
    other = active_review(submission, "second")
    assert other.reviewer_id == second.user_id != first.user_id  # independent
    assert reviews.blind(other)["scores"] == []  # the first reviewer's scores are not shown
    _score(submission, "second", 3, "Exceeds it.")
    db.session.expire_all()
    submission = db.session.get(Submission, submission.id)
    assert submission.status == SubmissionStatus.PASSED
    feedback = reviews.feedback(submission)
    assert [f["kind"] for f in feedback] == ["Review", "Second opinion"]
    assert one.id in {r.id for r in db.session.scalars(select(Review).where(Review.deciding))}


def test_disagreement_goes_to_a_senior_adjudicator_who_decides(app: Any, mailbox: Any) -> None:
    world = build()
    world.set_policy(second_opinion_percent=100)
    world.reviewer("a@hill.test")
    world.reviewer("b@hill.test")
    senior = world.reviewer("senior@hill.test", senior=True, capacity=0)
    submission = world.submit(world.teacher("t@lake.test"))
    _score(submission, "primary", 2, "Meets it.")  # the senior is full: a and b get these
    _score(submission, "second", 1, "Not quite.")
    waiting = active_review(submission, "adjudication")
    assert waiting.status == ReviewStatus.QUEUED  # only seniors adjudicate; the one is full
    from app.reviews import pool

    pool.update_profile(world.admin, senior, capacity=3, paused=False, away_until=None, senior=True)
    db.session.commit()
    decider = active_review(submission, "adjudication")
    assert decider.reviewer_id == senior.user_id
    _score(submission, "adjudication", 1, "Student samples are missing.")
    db.session.expire_all()
    submission = db.session.get(Submission, submission.id)
    assert submission.status == SubmissionStatus.NOT_YET
    feedback = reviews.feedback(submission)
    assert [f["kind"] for f in feedback] == ["Adjudication"]  # one final decision
    assert feedback[0]["comment"] == "Student samples are missing."
    assert len(mailbox.to("t@lake.test")) == 1


def test_adjudication_never_goes_to_either_of_the_first_two(app: Any) -> None:
    world = build()
    world.set_policy(second_opinion_percent=100)
    world.reviewer("a@hill.test", senior=True)
    world.reviewer("b@hill.test", senior=True)
    submission = world.submit(world.teacher("t@lake.test"))
    _score(submission, "primary", 2, "Yes.")
    _score(submission, "second", 0, "No.")
    assert active_review(submission, "adjudication").status == ReviewStatus.QUEUED
    third = world.reviewer("c@hill.test", senior=True)
    assert active_review(submission, "adjudication").reviewer_id == third.user_id


def test_each_reviewers_first_decisions_get_a_second_opinion(app: Any) -> None:
    world = build()
    world.set_policy(second_opinion_first_n=2)
    newcomer = world.reviewer("new@hill.test", capacity=5)
    world.reviewer("other@hill.test", capacity=0)
    subs = [world.submit(world.teacher(f"t{n}@lake.test")) for n in range(3)]
    assert {active_review(s).reviewer_id for s in subs} == {newcomer.user_id}
    from app.reviews import pool

    other = pool.profile_for(world.issuer, world.people["other@hill.test"])
    for n, submission in enumerate(subs):
        _score(submission, "primary", 2, "Fine.")
        db.session.expire_all()
        status = db.session.get(Submission, submission.id).status
        if n < 2:
            assert status == SubmissionStatus.IN_REVIEW, n  # waits for a second opinion
            assert active_review(submission, "second").status == ReviewStatus.QUEUED
        else:
            assert status == SubmissionStatus.PASSED  # past the first two: decided at once
    pool.update_profile(world.admin, other, capacity=5, paused=False, away_until=None, senior=False)
    db.session.commit()
    assert active_review(subs[0], "second").reviewer_id == other.user_id


def test_the_share_of_second_opinions_is_close_to_the_policy(app: Any) -> None:
    world = build()
    from app.models.credentials import Credential

    version = db.session.get(Credential, world.credential_id).published_version
    version.second_opinion_percent = 10
    chosen = sum(needs_second_opinion(version, 100, sid) for sid in range(1, 5001))
    assert 400 <= chosen <= 600  # about 10% of 5,000
    version.second_opinion_percent = 0
    assert not any(needs_second_opinion(version, 100, sid) for sid in range(1, 500))
