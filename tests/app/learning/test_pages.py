"""The learning pages as people use them: a teacher rates herself, takes a quiz, reads her
results and the suggestions; a designer writes and publishes a framework; bad input is
shown again with a message (422) and changes nothing; another teacher's take is 404."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from app.db import db
from app.learning import assessments
from app.models.learning import Competency, Framework, PreAttempt, Question, SelfAssessment
from tests.app.learning.world import Learning, build_learning
from tests.app.people import make_user, sign_in


@pytest.fixture
def learning(app: Any) -> Learning:
    return build_learning()


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def count(model: Any) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_a_teacher_rates_herself_and_sees_what_changed(learning: Learning, client: Any) -> None:
    teacher = make_user("t@school.test")
    db.session.commit()
    sign_in(client, teacher)
    home = client.get("/")
    assert 'href="/learning">My learning</a>' in home.get_data(as_text=True)
    url = f"/learning/frameworks/{learning.framework_id}/self-assessment"
    form = text_of(client.get(url))
    # One fieldset with a legend per competency; every radio inside a label; a way to skip.
    assert form.count("<fieldset>") == 3
    assert '<legend lang="en">Exit tickets</legend>' in form
    assert form.count('type="radio"') == 3 * 6
    assert form.count("<label") >= 3 * 6
    assert "Skip: not rated this time" in form
    exit_id, groups_id = (
        learning.competencies["Exit tickets"],
        learning.competencies["Small-group instruction"],
    )
    saved = client.submit(url, {f"level-{exit_id}": "2", f"level-{groups_id}": "4"})
    assert saved.status_code == 303
    assert saved.headers["Location"].endswith(
        f"/learning/frameworks/{learning.framework_id}/results"
    )
    again = client.submit(url, {f"level-{exit_id}": "4", f"level-{groups_id}": "3"})
    assert again.status_code == 303
    results = text_of(client.get(again.headers["Location"]))
    assert 'role="img"' in results
    assert 'aria-describedby="changes-' in results
    assert 'What changed since last time in <span lang="en">Assessment</span>' in results
    assert "Up 2, from 2/5" in results
    assert "Down 1, from 4/5" in results
    assert "Every time you rated yourself" in results
    # A retake starts from her last answers.
    prefilled = client.get(url).get_data(as_text=True)
    assert re.search(rf'name="level-{exit_id}" value="4" checked', prefilled)


@pytest.mark.parametrize("level", ["9", "0", "three"])
def test_a_level_off_the_scale_is_shown_again_and_stores_nothing(
    learning: Learning, client: Any, level: str
) -> None:
    sign_in(client, make_user("t@school.test"))
    db.session.commit()
    url = f"/learning/frameworks/{learning.framework_id}/self-assessment"
    refused = client.submit(url, {f"level-{learning.competencies['Exit tickets']}": level})
    assert refused.status_code == 422
    assert "is a whole number from 1 to 5" in text_of(refused)
    assert count(SelfAssessment) == 0
    nothing = client.submit(url, {})
    assert nothing.status_code == 422
    assert "at least one competency" in text_of(nothing)


def test_a_teacher_takes_a_pre_assessment_and_reads_her_score(
    learning: Learning, client: Any
) -> None:
    teacher = make_user("t@school.test")
    db.session.commit()
    sign_in(client, teacher)
    framework = text_of(client.get(f"/learning/frameworks/{learning.framework_id}"))
    competency_id = learning.competencies["Exit tickets"]
    assert f"/learning/competencies/{competency_id}/pre-assessment" in framework
    url = f"/learning/competencies/{competency_id}/pre-assessment"
    page = text_of(client.get(url))
    assert page.count("<fieldset>") == 4  # four multiple-choice questions
    assert '<legend>Question 1: <span lang="en">Q1</span></legend>' in page
    assert "Short answer, for your reflection; not scored." in page
    assert "right answer" not in page
    q = learning.questions("Exit tickets")
    missing = client.submit(url, {f"q-{q[0]}": "0"})
    assert missing.status_code == 422
    assert "Answer question 2" in text_of(missing)
    assert count(PreAttempt) == 0
    done = client.submit(
        url,
        {f"q-{q[0]}": "0", f"q-{q[1]}": "1", f"q-{q[2]}": "0", f"q-{q[3]}": "0", f"q-{q[4]}": "Hm"},
    )
    assert done.status_code == 303
    shown = text_of(client.get(done.headers["Location"]))
    assert "<strong>3 of 4</strong>" in shown
    assert "This is your first try." in shown
    assert "Not quite" in shown
    assert "Hm" in shown


def test_another_teachers_takes_are_404_pages(learning: Learning, client: Any) -> None:
    theirs = make_user("them@school.test")
    rated = assessments.take_self_assessment(
        theirs,
        learning.framework_id,
        [{"competency_id": learning.competencies["Exit tickets"], "level": 2}],
    )
    q = learning.questions("Small-group instruction")
    tried = assessments.take_pre_assessment(
        theirs,
        learning.competencies["Small-group instruction"],
        [{"question_id": i, "choice": 0} for i in q],
    )
    db.session.commit()
    sign_in(client, make_user("me@school.test"))
    db.session.commit()
    assert client.get(f"/learning/self-assessments/{rated.id}").status_code == 404
    assert client.get(f"/learning/pre-assessments/{tried.id}").status_code == 404
    sign_in(client, theirs)
    assert client.get(f"/learning/self-assessments/{rated.id}").status_code == 200
    assert client.get(f"/learning/pre-assessments/{tried.id}").status_code == 200


def test_my_learning_explains_each_suggestion_and_links_the_catalog(
    learning: Learning, client: Any
) -> None:
    teacher = make_user("t@school.test")
    assessments.take_self_assessment(
        teacher,
        learning.framework_id,
        [{"competency_id": learning.competencies["Small-group instruction"], "level": 2}],
    )
    db.session.commit()
    sign_in(client, teacher)
    page = text_of(client.get("/learning"))
    assert "You rated yourself 2/5 on “Small-group instruction”" in page
    assert 'href="/catalog/acme/small-groups"' in page
    assert 'href="/catalog">browse the whole catalog</a>' in page
    assert "Teaching practice" in page


def test_pages_need_a_sign_in_and_drafts_stay_hidden(learning: Learning, client: Any) -> None:
    assert client.get("/learning").status_code == 302
    assert client.get("/learning/frameworks").status_code == 200
    public = text_of(client.get(f"/learning/frameworks/{learning.framework_id}"))
    assert "Small groups" in public  # the credentials that certify each competency
    draft = Framework(issuer_id=learning.world.issuer.id, slug="draft", title="Draft", scale_max=5)
    draft.scale_descriptors = ["a", "b", "c", "d", "e"]
    db.session.add(draft)
    db.session.commit()
    assert client.get(f"/learning/frameworks/{draft.id}").status_code == 404
    assert "Draft" not in text_of(client.get("/learning/frameworks"))


def test_a_designer_writes_and_publishes_a_framework(learning: Learning, client: Any) -> None:
    sign_in(client, learning.designer)
    assert client.get("/learning/design").status_code == 200
    bad = client.submit(
        "/learning/design/new",
        {
            "owner": f"issuer-{learning.world.issuer.id}",
            "slug": "Bad Slug",
            "title": "T",
            "scale": "a\nb",
        },
    )
    assert bad.status_code == 422
    assert "lowercase letters, digits and hyphens" in text_of(bad)
    made = client.submit(
        "/learning/design/new",
        {
            "owner": f"issuer-{learning.world.issuer.id}",
            "slug": "reading",
            "title": "Reading instruction",
            "scale": "Never\nSometimes\nOften\nAlways",
        },
    )
    assert made.status_code == 303, text_of(made)[-500:]
    editor = made.headers["Location"]
    framework_id = int(editor.rsplit("/", 1)[1])
    refused = client.submit(f"/learning/design/{framework_id}/publish", page=editor)
    assert refused.status_code == 422
    assert "Add at least one domain." in text_of(refused)
    empty = client.submit(
        f"/learning/design/{framework_id}/domains", {"new-domain-title": ""}, page=editor
    )
    assert empty.status_code == 422
    assert "A domain&#39;s title is required." in empty.get_data(as_text=True)
    added = client.submit(
        f"/learning/design/{framework_id}/domains", {"new-domain-title": "Fluency"}, page=editor
    )
    assert added.status_code == 303
    framework = db.session.get(Framework, framework_id)
    domain_id = framework.domains[0].id
    competency = client.submit(
        f"/learning/design/domains/{domain_id}/competencies",
        {f"add-{domain_id}-title": "Repeated reading"},
        page=editor,
    )
    assert competency.status_code == 303
    competency_url = competency.headers["Location"]
    db.session.expire_all()
    competency_id = db.session.scalar(
        select(Competency.id).where(Competency.title == "Repeated reading")
    )
    linked = client.submit(
        competency_url,
        {
            "action": "save",
            "competency-title": "Repeated reading",
            "competency-credentials": [learning.credentials["exit-tickets"]],
        },
    )
    assert linked.status_code == 303
    question = client.submit(
        f"/learning/design/competencies/{competency_id}/questions",
        {
            "question-kind": "choice",
            "question-prompt": "How many reads?",
            "question-options": "One\nThree or four",
            "question-correct": "2",
        },
        page=competency_url,
    )
    assert question.status_code == 303
    no_answer = client.submit(
        f"/learning/design/competencies/{competency_id}/questions",
        {"question-kind": "choice", "question-prompt": "?", "question-options": "a\nb"},
        page=competency_url,
    )
    assert no_answer.status_code == 422
    assert "Say which option is right" in text_of(no_answer)
    db.session.expire_all()
    assert [
        q.correct
        for q in db.session.scalars(select(Question).where(Question.competency_id == competency_id))
    ] == [1]
    published = client.submit(f"/learning/design/{framework_id}/publish", page=editor)
    assert published.status_code == 303
    db.session.expire_all()
    assert db.session.get(Framework, framework_id).is_published


def test_a_teacher_or_another_issuers_designer_cannot_edit(learning: Learning, client: Any) -> None:
    from app.models.orgs import Role
    from tests.app.people import grant, make_issuer

    sign_in(client, make_user("t@school.test"))
    db.session.commit()
    assert client.get("/learning/design").status_code == 403
    stranger = make_user("d@other.test")
    grant(stranger, Role.DESIGNER, make_issuer("other"))
    db.session.commit()
    sign_in(client, stranger)
    # another issuer's framework is not found among hers (never "forbidden")
    assert client.get(f"/learning/design/{learning.framework_id}").status_code == 404
    before = learning.framework.title
    response = client.submit(
        f"/learning/design/{learning.framework_id}/details",
        {"details-title": "Hijacked", "details-scale": "a\nb\nc\nd"},
        page="/learning/design",
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert learning.framework.title == before
