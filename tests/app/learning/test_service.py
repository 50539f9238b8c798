"""The learning rules, through the services: who edits a framework, what a self-assessment
and a pre-assessment accept and store, what changed since last time, and recommendations
that say why (never a badge she holds), in a fixed number of statements."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from app.db import db, utcnow
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.issuance import service as issuance
from app.learning import assessments, frameworks, recommend
from app.models.learning import Competency, PreAttempt, SelfAssessment, SelfRating
from app.models.orgs import Role
from app.submissions import service as submissions
from tests.app.issuance.helpers import passed
from tests.app.learning.world import Learning, build_learning, framework_data, publish_credential
from tests.app.people import grant, make_issuer, make_user
from tests.queries import count_statements


@pytest.fixture
def learning(app: Any) -> Learning:
    return build_learning()


def rate(learning: Learning, user: Any, levels: dict[str, int], days_ago: int = 0) -> Any:
    taken = assessments.take_self_assessment(
        user,
        learning.framework_id,
        [{"competency_id": learning.competencies[t], "level": n} for t, n in levels.items()],
        now=utcnow() - timedelta(days=days_ago),
    )
    db.session.commit()
    return taken


def quiz(learning: Learning, user: Any, title: str, choices: list[int], days_ago: int = 0) -> Any:
    ids = learning.questions(title)
    answers: list[dict[str, Any]] = [
        {"question_id": q, "choice": c} for q, c in zip(ids, choices, strict=False)
    ]
    taken = assessments.take_pre_assessment(
        user, learning.competencies[title], answers, now=utcnow() - timedelta(days=days_ago)
    )
    db.session.commit()
    return taken


def counts() -> tuple[int, int, int]:
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count()).select_from(SelfAssessment)) or 0,
        db.session.scalar(select(func.count()).select_from(SelfRating)) or 0,
        db.session.scalar(select(func.count()).select_from(PreAttempt)) or 0,
    )


# --- frameworks ---------------------------------------------------------------------------


def test_only_the_issuers_designers_and_admins_edit_its_frameworks(learning: Learning) -> None:
    teacher = make_user("t@school.test")
    stranger = make_user("designer@other.test")
    grant(stranger, Role.DESIGNER, make_issuer("other"))
    framework = learning.framework
    for outsider in (teacher, stranger):
        with pytest.raises(NotFound):  # not among hers, as if it did not exist
            frameworks.get_for_editing(outsider, framework.id)
        with pytest.raises(Forbidden):
            frameworks.set_details(outsider, framework, {"title": "Mine now"})
        with pytest.raises(Forbidden):
            frameworks.create_framework(
                outsider, learning.world.issuer, {"slug": "x", "title": "X"}
            )
    frameworks.set_details(learning.world.admin, framework, {"title": "Renamed by the admin"})
    db.session.commit()
    assert learning.framework.title == "Renamed by the admin"
    with pytest.raises(NotFound):
        frameworks.get_for_editing(learning.designer, 999999)


def test_a_competency_links_only_published_credentials_of_its_own_issuer(
    learning: Learning,
) -> None:
    other = make_issuer("other")
    foreign_designer = make_user("d@other.test")
    grant(foreign_designer, Role.DESIGNER, other)
    from tests.app.reviews.world import World

    foreign = publish_credential(
        foreign_designer,
        World(other, learning.world.district, learning.world.other_district, foreign_designer, 0),
        "foreign",
        "Foreign",
    )
    db.session.commit()
    competency = db.session.get(Competency, learning.competencies["Morning meeting"])
    assert competency is not None
    with pytest.raises(InvalidInput) as refused:
        frameworks.update_competency(
            learning.designer, competency, {"title": "Morning meeting", "credentials": [foreign]}
        )
    assert "not a published credential of this issuer" in refused.value.message
    assert "credentials" in refused.value.fields
    db.session.rollback()
    competency = db.session.get(Competency, learning.competencies["Morning meeting"])
    assert [c.id for c in competency.credentials] == [learning.credentials["morning-meeting"]]


def test_publishing_needs_domains_with_competencies_and_a_credential_link(
    learning: Learning,
) -> None:
    draft = frameworks.create_framework(
        learning.designer, learning.world.issuer, {"slug": "empty", "title": "Empty"}
    )
    with pytest.raises(InvalidInput) as refused:
        frameworks.publish(learning.designer, draft)
    assert "Add at least one domain." in refused.value.fields["publish"]
    domain = frameworks.add_domain(learning.designer, draft, {"title": "Assessment"})
    assert frameworks.publish_problems(draft) == [
        "Domain “Assessment” needs at least one competency.",
        "Link at least one competency to a credential that certifies it.",
    ]
    frameworks.add_competency(learning.designer, domain, {"title": "Exit tickets"})
    assert frameworks.publish_problems(draft) == [
        "Link at least one competency to a credential that certifies it."
    ]
    with pytest.raises(Conflict):
        frameworks.publish(learning.designer, learning.framework)  # already published


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"slug": "Not A Slug"}, "slug"),
        ({"slug": "practice"}, None),  # taken: a Conflict
        ({"title": ""}, "title"),
        ({"scale": ["one", "two", "three"]}, "scale"),
        ({"domains": [{"title": "D", "competencies": [{"title": ""}]}]}, "title"),
        (
            {
                "domains": [
                    {
                        "title": "D",
                        "competencies": [
                            {"title": "C", "questions": [{"kind": "choice", "prompt": "?"}]}
                        ],
                    }
                ]
            },
            "options",
        ),
        (
            {
                "domains": [
                    {
                        "title": "D",
                        "competencies": [
                            {
                                "title": "C",
                                "questions": [
                                    {"kind": "choice", "prompt": "?", "options": ["a", "b"]}
                                ],
                            }
                        ],
                    }
                ]
            },
            "correct",
        ),
    ],
)
def test_a_framework_with_bad_parts_is_refused_whole(
    learning: Learning, change: dict[str, Any], field: str | None
) -> None:
    data = {**framework_data(learning.credentials), "slug": "another", **change}
    before = db.session.scalar(select(func.count()).select_from(Competency))
    with pytest.raises(InvalidInput if field else Conflict) as refused:
        frameworks.create_framework(learning.designer, learning.world.issuer, data)
    if field:
        assert field in refused.value.fields, refused.value.fields
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Competency)) == before


def test_a_competency_someone_rated_is_kept(learning: Learning) -> None:
    teacher = make_user("t@school.test")
    rate(learning, teacher, {"Morning meeting": 2})
    competency = db.session.get(Competency, learning.competencies["Morning meeting"])
    with pytest.raises(Conflict) as refused:
        frameworks.remove_competency(learning.designer, competency)
    assert "theirs to keep" in refused.value.message
    with pytest.raises(Conflict):
        frameworks.set_details(
            learning.designer, learning.framework, {"title": "T", "scale": ["a", "b", "c", "d"]}
        )
    db.session.rollback()
    unrated = db.session.get(Competency, learning.competencies["Exit tickets"])
    frameworks.remove_competency(learning.designer, unrated)
    db.session.commit()
    assert "Exit tickets" not in [c.title for c in learning.framework.competencies]


# --- self-assessment ----------------------------------------------------------------------


def test_a_retake_shows_what_changed_per_competency(learning: Learning) -> None:
    teacher = make_user("t@school.test")
    first = rate(learning, teacher, {"Exit tickets": 2, "Small-group instruction": 4}, days_ago=9)
    rate(learning, teacher, {"Exit tickets": 4, "Small-group instruction": 3, "Morning meeting": 1})
    found = assessments.results(teacher, learning.framework_id)
    rows = {r.competency.title: r for d in found.domains for r in d.rows}
    assert (rows["Exit tickets"].comfort, rows["Exit tickets"].comfort_before) == (4, 2)
    assert rows["Exit tickets"].comfort_change == 2
    assert rows["Exit tickets"].comfort_words(5) == "Up 2, from 2/5"
    assert rows["Small-group instruction"].comfort_words(5) == "Down 1, from 4/5"
    assert rows["Morning meeting"].comfort_words(5) == "First rating"
    # The first take, seen on its own, has nothing before it.
    earlier = assessments.results(teacher, assessment_id=first.id)
    rows = {r.competency.title: r for d in earlier.domains for r in d.rows}
    assert earlier.previous is None
    assert rows["Exit tickets"].comfort_words(5) == "First rating"
    assert rows["Morning meeting"].comfort_words(5) == "Not rated this time"
    mine = assessments.my_self_assessments(teacher, assessments_args())
    assert [a.id for a in mine.items][-1] == first.id  # newest first


def assessments_args() -> Any:
    from app.pagination import PageArgs

    return PageArgs()


@pytest.mark.parametrize(
    ("framework_id", "ratings", "field"),
    [
        (999999, [{"competency_id": 1, "level": 3}], "framework_id"),
        ("1", [{"competency_id": 1, "level": 3}], "framework_id"),
        (None, [], "ratings"),
        (None, [{"competency_id": "Exit tickets", "level": 0}], "ratings"),
        (None, [{"competency_id": "Exit tickets", "level": 6}], "ratings"),
        (None, [{"competency_id": "Exit tickets", "level": "3"}], "ratings"),
        (None, [{"competency_id": 999999, "level": 3}], "ratings"),
        (
            None,
            [
                {"competency_id": "Exit tickets", "level": 3},
                {"competency_id": "Exit tickets", "level": 4},
            ],
            "ratings",
        ),
        (None, ["not an object"], "ratings"),
    ],
)
def test_a_bad_self_assessment_is_refused_and_stores_nothing(
    learning: Learning, framework_id: Any, ratings: list[Any], field: str
) -> None:
    teacher = make_user("t@school.test")
    db.session.commit()
    resolved = [
        {**r, "competency_id": learning.competencies.get(r["competency_id"], r["competency_id"])}
        if isinstance(r, dict) and isinstance(r["competency_id"], str)
        else r
        for r in ratings
    ]
    with pytest.raises(InvalidInput) as refused:
        assessments.take_self_assessment(
            teacher, learning.framework_id if framework_id is None else framework_id, resolved
        )
    assert field in refused.value.fields
    db.session.rollback()
    assert counts() == (0, 0, 0)


def test_a_draft_framework_takes_no_self_assessment(learning: Learning) -> None:
    draft = frameworks.create_framework(
        learning.designer, learning.world.issuer, {"slug": "draft", "title": "Draft"}
    )
    db.session.commit()
    with pytest.raises(InvalidInput):
        assessments.take_self_assessment(make_user("t@school.test"), draft.id, [])


# --- pre-assessment -----------------------------------------------------------------------


def test_multiple_choice_is_scored_and_a_short_answer_kept_unscored(learning: Learning) -> None:
    teacher = make_user("t@school.test")
    ids = learning.questions("Exit tickets")
    answers = [
        {"question_id": ids[0], "choice": 0},  # right
        {"question_id": ids[1], "choice": 1},  # right
        {"question_id": ids[2], "choice": 0},  # wrong (2 is right)
        {"question_id": ids[3], "choice": 2},  # wrong
        {"question_id": ids[4], "text": "  Last week, fractions.  "},
    ]
    taken = assessments.take_pre_assessment(teacher, learning.competencies["Exit tickets"], answers)
    db.session.commit()
    assert (taken.score, taken.out_of) == (2, 4)
    assert [a.is_right for a in taken.answers] == [True, True, False, False, None]
    assert taken.answers[4].text == "Last week, fractions."
    again = quiz(learning, teacher, "Exit tickets", [0, 1, 2, 0])
    assert (again.score, again.out_of) == (4, 4)
    assert assessments.attempt_before(again).id == taken.id
    found = assessments.results(teacher, learning.framework_id)
    row = next(r for d in found.domains for r in d.rows if r.competency.title == "Exit tickets")
    assert str(row.quiz) == "4 of 4"
    assert row.quiz_words() == "Up, from 2 of 4"


@pytest.mark.parametrize(
    ("answers", "says"),
    [
        ("not a list", "list"),
        ([], "Answer question 1"),
        ([{"question_id": 999999, "choice": 0}], "not part of this pre-assessment"),
        ([{"question_id": "Q0", "choice": 7}], "choose one of its 3 options"),
        ([{"question_id": "Q0", "choice": 0}, {"question_id": "Q0", "choice": 1}], "twice"),
        ([{"question_id": "Q4", "text": "x" * 5001}], "at most 5000"),
    ],
)
def test_a_bad_pre_assessment_is_refused_and_stores_nothing(
    learning: Learning, answers: Any, says: str
) -> None:
    teacher = make_user("t@school.test")
    db.session.commit()
    ids = learning.questions("Exit tickets")
    if isinstance(answers, list):
        answers = [
            {**a, "question_id": ids[int(a["question_id"][1:])]}
            if isinstance(a.get("question_id"), str)
            else a
            for a in answers
        ]
    with pytest.raises(InvalidInput) as refused:
        assessments.take_pre_assessment(teacher, learning.competencies["Exit tickets"], answers)
    assert says in refused.value.message
    assert "answers" in refused.value.fields
    db.session.rollback()
    assert counts() == (0, 0, 0)


def test_a_competency_without_questions_has_no_pre_assessment(learning: Learning) -> None:
    with pytest.raises(NotFound, match="no pre-assessment"):
        assessments.quiz(learning.competencies["Morning meeting"])


def test_another_teachers_takes_are_not_found(learning: Learning) -> None:
    mine, theirs = make_user("me@school.test"), make_user("them@school.test")
    rated = rate(learning, theirs, {"Exit tickets": 2})
    tried = quiz(learning, theirs, "Small-group instruction", [0, 0, 0, 0])
    with pytest.raises(NotFound):
        assessments.own_self_assessment(mine, rated.id)
    with pytest.raises(NotFound):
        assessments.results(mine, assessment_id=rated.id)
    with pytest.raises(NotFound):
        assessments.own_attempt(mine, tried.id)
    assert assessments.my_self_assessments(mine, assessments_args()).total == 0
    assert recommend.recommendations(mine) == []


# --- recommendations ----------------------------------------------------------------------


def test_recommendations_say_why_in_words(learning: Learning) -> None:
    teacher = make_user("t@school.test")
    rate(learning, teacher, {"Small-group instruction": 2, "Exit tickets": 4})
    quiz(learning, teacher, "Small-group instruction", [0, 1, 1, 1])
    [first, second] = recommend.recommendations(teacher)
    assert first.title == "Small groups"
    assert first.reasons == [
        "You rated yourself 2/5 on “Small-group instruction” and answered 1 of 4 questions "
        "right; this credential builds exactly that."
    ]
    assert second.credential_id == learning.credentials["exit-tickets"]
    assert second.reasons == [
        "You rated yourself 4/5 on “Exit tickets”; this credential builds exactly that."
    ]


def test_a_quiz_alone_is_a_reason_and_full_confidence_is_none(learning: Learning) -> None:
    teacher = make_user("t@school.test")
    quiz(learning, teacher, "Exit tickets", [1, 1, 2, 0])  # 3 of 4
    rate(learning, teacher, {"Morning meeting": 5})
    [only] = recommend.recommendations(teacher)
    assert only.reasons == [
        "You answered 3 of 4 questions right on “Exit tickets”; this credential builds "
        "exactly that."
    ]


def test_ranked_by_need_then_title_using_only_the_latest_takes(learning: Learning) -> None:
    teacher = make_user("t@school.test")
    rate(learning, teacher, {"Exit tickets": 1, "Morning meeting": 4}, days_ago=30)
    rate(learning, teacher, {"Exit tickets": 4, "Morning meeting": 2, "Small-group instruction": 3})
    quiz(learning, teacher, "Small-group instruction", [1, 1, 1, 1], days_ago=20)  # 0 of 4
    quiz(learning, teacher, "Small-group instruction", [0, 0, 0, 1])  # 3 of 4 now
    ranked = recommend.recommendations(teacher)
    # Morning meeting: (5-2)/4 = .75; small groups: mean(.5, .25) = .375; exit: .25
    assert [r.title for r in ranked] == ["Morning meeting", "Small groups", ranked[2].title]
    assert ranked[2].credential_id == learning.credentials["exit-tickets"]
    assert [round(r.need, 3) for r in ranked] == [0.75, 0.375, 0.25]


def test_never_a_badge_she_holds_and_a_revoked_one_comes_back(learning: Learning) -> None:
    badge = passed(learning.world, "t@lake.test")  # exit tickets
    teacher = badge.user
    rate(learning, teacher, {"Exit tickets": 1, "Small-group instruction": 2})
    assert [r.title for r in recommend.recommendations(teacher)] == ["Small groups"]
    issuance.revoke(learning.world.admin, badge, "Issued in error.")
    db.session.commit()
    assert learning.credentials["exit-tickets"] in [
        r.credential_id for r in recommend.recommendations(teacher)
    ]


def test_an_open_draft_is_offered_to_continue_and_a_submitted_one_left_out(
    learning: Learning,
) -> None:
    teacher = learning.world.teacher("t@lake.test")
    rate(learning, teacher, {"Exit tickets": 1, "Small-group instruction": 2})
    draft = submissions.start(teacher, learning.credentials["small-groups"])
    db.session.commit()
    by_id = {r.credential_id: r for r in recommend.recommendations(teacher)}
    assert by_id[learning.credentials["small-groups"]].draft_id == draft.id
    assert by_id[learning.credentials["exit-tickets"]].draft_id is None
    learning.world.reviewer("rev@hill.test")
    learning.world.submit(teacher)  # exit tickets, now with reviewers
    ids = [r.credential_id for r in recommend.recommendations(teacher)]
    assert ids == [learning.credentials["small-groups"]]


def test_recommendations_take_the_same_statements_at_any_size(learning: Learning) -> None:
    teacher = make_user("t@school.test")
    rate(learning, teacher, {"Exit tickets": 2})
    quiz(learning, teacher, "Exit tickets", [0, 0, 0, 0])
    assert teacher.id  # loaded before counting, as a request's user is
    with count_statements(db.engine) as small:
        few = recommend.recommendations(teacher)
    # Many more credentials linked, many more takes, a badge and a draft.
    competency = db.session.get(Competency, learning.competencies["Morning meeting"])
    extra = [
        publish_credential(learning.designer, learning.world, f"extra-{n}", f"Extra {n}")
        for n in range(12)
    ]
    frameworks.update_competency(
        learning.designer,
        competency,
        {"title": competency.title, "credentials": extra},
    )
    db.session.commit()
    for n in range(15):
        rate(learning, teacher, {"Exit tickets": 1 + n % 5, "Morning meeting": 1}, days_ago=n)
        quiz(learning, teacher, "Small-group instruction", [0, 1, 0, 1], days_ago=n)
    submissions.start(teacher, extra[0])
    db.session.commit()
    assert teacher.id
    with count_statements(db.engine) as large:
        many = recommend.recommendations(teacher)
    assert len(many) > len(few) + 10
    assert large.count == small.count <= 5, large.sql
