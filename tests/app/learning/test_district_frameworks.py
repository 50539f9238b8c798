"""A district publishes a framework: its credit officers design it on the same pages as an
issuer's designers, its competencies may name any issuer's published credentials (an
issuer's still only its own), exactly one owner is enforced by the database, and teachers
see both kinds labelled by owner, their own district's first."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.credit.memberships import add_member
from app.db import db
from app.errors import Forbidden, InvalidInput, NotFound
from app.learning import frameworks
from app.models.accounts import User
from app.models.learning import Competency, Framework
from app.models.orgs import Role
from app.pagination import PageArgs
from tests.app.learning.world import SCALE, Learning, build_learning, publish_credential
from tests.app.people import grant, make_issuer, make_user, sign_in
from tests.app.reviews.world import World


@pytest.fixture
def learning(app: Any) -> Learning:
    return build_learning()


def other_issuers_credential(learning: Learning) -> int:
    """A published credential of a second issuer (Harbor), by its own designer."""
    harbor = make_issuer("harbor", "Harbor Institute")
    designer = make_user("designer@harbor.test")
    grant(designer, Role.DESIGNER, harbor)
    world = World(harbor, learning.world.district, learning.world.other_district, designer, 0)
    return publish_credential(designer, world, "restorative-circles", "Restorative circles")


def officer_of(district: Any, email: str = "officer@lakeside.test") -> Any:
    officer = make_user(email)
    grant(officer, Role.CREDIT_OFFICER, district)
    return officer


def district_data(credential_ids: list[int], slug: str = "priorities") -> dict[str, Any]:
    return {
        "slug": slug,
        "title": "District priorities",
        "scale": SCALE,
        "domains": [
            {
                "title": "Belonging",
                "competencies": [
                    {"title": "Community circles", "credentials": credential_ids},
                ],
            }
        ],
    }


def test_a_districts_officer_publishes_a_framework_linking_any_issuers_credentials(
    learning: Learning,
) -> None:
    district = learning.world.district
    officer = officer_of(district)
    harbor_credential = other_issuers_credential(learning)
    acme_credential = learning.credentials["small-groups"]
    made = frameworks.create_framework(
        officer, district, district_data([harbor_credential, acme_credential])
    )
    frameworks.publish(officer, made)
    db.session.commit()
    db.session.expire_all()
    found = frameworks.published_framework(made.id)
    assert found.district_id == district.id
    assert found.issuer_id is None
    assert found.owner.name == district.name
    assert found.owner_kind == "district"
    [competency] = found.competencies
    assert [c.id for c in competency.credentials] == sorted([harbor_credential, acme_credential])
    labels = dict(frameworks.credential_choices(found))
    assert labels[harbor_credential] == "Restorative circles (Harbor Institute)"
    assert set(labels) >= {harbor_credential, *learning.credentials.values()}

    # An issuer's framework still links only its own issuer's credentials.
    with pytest.raises(InvalidInput, match="own issuer"):
        frameworks.add_competency(
            learning.designer,
            learning.framework.domains[0],
            {"title": "Circles", "credentials": [harbor_credential]},
        )
    db.session.rollback()
    assert dict(frameworks.credential_choices(learning.framework)).keys() == set(
        learning.credentials.values()
    )


def test_a_district_framework_refuses_an_unpublished_credential(learning: Learning) -> None:
    district = learning.world.district
    officer = officer_of(district)
    db.session.commit()
    with pytest.raises(InvalidInput) as refused:
        frameworks.create_framework(officer, district, district_data([999999]))
    db.session.rollback()
    assert "credentials" in refused.value.fields
    assert db.session.scalar(select(func.count()).select_from(Framework)) == 1


def test_only_the_districts_officers_edit_its_framework(learning: Learning) -> None:
    district, other = learning.world.district, learning.world.other_district
    officer = officer_of(district)
    made = frameworks.create_framework(officer, district, district_data([]))
    db.session.commit()
    outsiders = [
        make_user("teacher@lakeside.test"),
        officer_of(other, "officer@elsewhere.test"),
        learning.designer,  # designs for an issuer, not for this district
    ]
    for outsider in outsiders:
        with pytest.raises(NotFound):
            frameworks.get_for_editing(outsider, made.id)
        with pytest.raises(NotFound):
            frameworks.domain_for_editing(outsider, made.domains[0].id)
        with pytest.raises(Forbidden):
            frameworks.create_framework(outsider, district, district_data([], "mine"))
        with pytest.raises(Forbidden):
            frameworks.set_details(outsider, made, {"title": "Mine now"})
        db.session.rollback()
    # the officer does not write the issuer's frameworks either
    with pytest.raises(NotFound):
        frameworks.get_for_editing(officer, learning.framework_id)
    assert [o.name for o in frameworks.editable_owners(officer)] == [district.name]
    assert frameworks.get_for_editing(officer, made.id).title == "District priorities"
    admin = make_user("admin@platform.test", admin=True)
    assert frameworks.get_for_editing(admin, made.id).id == made.id


def test_the_database_holds_exactly_one_owner(learning: Learning) -> None:
    district = learning.world.district
    for owners in ({"issuer_id": learning.world.issuer.id, "district_id": district.id}, {}):
        db.session.add(
            Framework(
                slug="both-or-none", title="T", scale_max=5, scale_descriptors=SCALE, **owners
            )
        )
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
    officer = officer_of(district)
    frameworks.create_framework(officer, district, district_data([]))
    db.session.commit()
    with pytest.raises(Exception, match="already has a framework"):
        frameworks.create_framework(officer, district, district_data([]))
    db.session.rollback()
    # the same web address name is free for an issuer
    frameworks.create_framework(learning.designer, learning.world.issuer, district_data([]))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Framework)) == 3


def test_teachers_see_both_kinds_labelled_their_own_districts_first(
    learning: Learning, client: Any
) -> None:
    district, other = learning.world.district, learning.world.other_district
    ours = frameworks.create_framework(
        officer_of(district), district, {**district_data([learning.credentials["small-groups"]])}
    )
    frameworks.publish(officer_of(district, "second@lakeside.test"), ours)
    theirs = frameworks.create_framework(
        officer_of(other, "officer@elsewhere.test"),
        other,
        {
            **district_data([learning.credentials["small-groups"]], "theirs"),
            "title": "Another district's priorities",
        },
    )
    frameworks.publish(officer_of(other, "o2@elsewhere.test"), theirs)
    member = make_user("member@lakeside.test")
    add_member(member, district, "invitation")
    outsider = make_user("outsider@school.test")
    db.session.commit()

    titles = ["Another district's priorities", "District priorities", "Teaching practice"]
    by_title = frameworks.published_page(PageArgs(1, 10), outsider)
    assert [f.title for f in by_title.items] == titles
    mine_first = frameworks.published_page(PageArgs(1, 10), member)
    assert [f.title for f in mine_first.items] == [titles[1], titles[0], titles[2]]
    assert mine_first.total == 3

    sign_in(client, member)
    listing = re.sub(r"\s+", " ", client.get("/learning/frameworks").get_data(as_text=True))
    assert listing.index("District priorities") < listing.index("Another district")
    assert f"by {district.name} (district)" in listing
    assert f"by {learning.world.issuer.name}</span>" in listing
    page = client.get(f"/learning/frameworks/{ours.id}").get_data(as_text=True)
    assert f"A competency framework by {district.name}, a school district" in page
    home = re.sub(r"\s+", " ", client.get("/learning").get_data(as_text=True))
    assert home.index("District priorities") < home.index("Teaching practice")
    # a teacher rates her comfort on a district's framework like on any other
    competency = db.session.scalar(select(Competency).where(Competency.framework_id == ours.id))
    rated = client.submit(
        f"/learning/frameworks/{ours.id}/self-assessment", {f"level-{competency.id}": "3"}
    )
    assert rated.status_code == 303


def test_an_officer_designs_a_framework_on_the_designer_pages(
    learning: Learning, client: Any
) -> None:
    district = learning.world.district
    officer = officer_of(district)
    harbor_credential = other_issuers_credential(learning)
    db.session.commit()
    sign_in(client, officer)
    assert client.get("/learning/design").status_code == 200
    new = client.get("/learning/design/new").get_data(as_text=True)
    chosen = re.search(r"<option[^>]*\bselected\b[^>]*>", new)
    assert chosen is not None
    assert f'value="district-{district.id}"' in chosen.group(0)  # her only choice
    assert f"issuer-{learning.world.issuer.id}" not in new  # not hers
    refused = client.submit(
        "/learning/design/new",
        {
            "owner": f"issuer-{learning.world.issuer.id}",
            "slug": "x",
            "title": "X",
            "scale": "\n".join(SCALE),
        },
    )
    assert refused.status_code == 422
    made = client.submit(
        "/learning/design/new",
        {
            "owner": f"district-{district.id}",
            "slug": "priorities",
            "title": "District priorities",
            "scale": "\n".join(SCALE),
        },
    )
    assert made.status_code == 303, made.get_data(as_text=True)
    framework = db.session.scalar(select(Framework).where(Framework.district_id == district.id))
    assert framework is not None
    editor = f"/learning/design/{framework.id}"
    assert f"{district.name} (district)" in client.get(editor).get_data(as_text=True)
    added = client.submit(f"{editor}/domains", {"new-domain-title": "Belonging"}, page=editor)
    assert added.status_code == 303
    db.session.expire_all()
    domain = db.session.get(Framework, framework.id).domains[0]
    competency = client.submit(
        f"/learning/design/domains/{domain.id}/competencies",
        {f"add-{domain.id}-title": "Community circles"},
        page=editor,
    )
    assert competency.status_code == 303
    url = competency.headers["Location"]
    page = client.get(url).get_data(as_text=True)
    assert "Restorative circles (Harbor Institute)" in page
    saved = client.submit(
        url,
        {
            "competency-title": "Community circles",
            "competency-credentials": [str(harbor_credential)],
            "action": "save",
        },
    )
    assert saved.status_code == 303
    published = client.submit(f"{editor}/publish", page=editor)
    assert published.status_code == 303
    db.session.expire_all()
    done = db.session.get(Framework, framework.id)
    assert done.is_published
    assert [c.id for c in done.competencies[0].credentials] == [harbor_credential]
    # the issuer's framework stays out of her reach
    assert client.get(f"/learning/design/{learning.framework_id}").status_code == 404


def test_the_demo_district_publishes_its_framework_and_the_teacher_sees_it_first(
    runner: Any, client: Any
) -> None:
    seeded = runner.invoke(args=["seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    assert "published framework Lakeside Instructional Priorities" in seeded.output
    assert "Lakeside Instructional Priorities" not in runner.invoke(args=["seed-demo"]).output
    framework = db.session.scalar(select(Framework).where(Framework.district_id.is_not(None)))
    assert framework is not None
    assert framework.is_published
    assert framework.owner.slug == "lakeside"
    linked = {c.credentials[0].slug for c in framework.competencies}
    assert linked == {"exit-tickets", "plc-facilitation", "morning-meeting"}
    issuers_framework = db.session.scalar(select(Framework).where(Framework.issuer_id.is_not(None)))
    assert issuers_framework.title == "Riverbend Teaching Practice Framework"  # as it was
    teacher = db.session.scalar(select(User).where(User.email == "teacher@demo.test"))
    sign_in(client, teacher)
    listing = client.get("/learning/frameworks").get_data(as_text=True)
    assert listing.index("Lakeside Instructional Priorities") < listing.index(
        "Riverbend Teaching Practice Framework"
    )
    officer = db.session.scalar(select(User).where(User.email == "officer@demo.test"))
    client.logout()
    sign_in(client, officer)
    assert client.get(f"/learning/design/{framework.id}").status_code == 200
