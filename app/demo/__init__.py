"""Demo data: `flask --app app seed-demo`.

Creates (once; a second run changes nothing and says so) the Riverbend Teacher Learning
Collaborative with four published micro-credentials drawn from the seed articles' topics, the
Lakeside Unified School District with three schools, and one account per role, all with the
password ``demo-password-1``. These accounts exist only where this command was run.

The content is data beside this module: ``organisations.json`` (the issuer, the district and
its schools, the people and their roles, the review pool), ``credentials.json`` (rubric
levels, standards frameworks, the credentials with their prompts and rubrics, the badges
awarded), ``credit.json`` (the district's categories, policies, members and outside programs) and
``learning.json`` (a competency framework over the demo credentials, the demo teacher's
past self-assessments and a pre-assessment, so her results and recommendations show at
once, her growth plan with a goal, its progress and her coach's comment, and her action
research in it with a posted checkpoint her coach answered). This module
reads them and seeds the database through the services, as the people would;
``communities.json`` (the demo PLC: a third demo teacher, a thread, and an open request for
peer feedback on the demo teacher's draft) is seeded by ``app.communities.demo``;
``meetings.json`` (its past and upcoming meetings, a protocol record, and the district's
capped policy for PLC meetings) by ``app.communities.practice_demo``.
"""

from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from importlib import resources
from typing import Any

import click
import pikepdf
from flask.cli import with_appcontext
from sqlalchemy import select

from app.auth.passwords import hash_password
from app.communities import demo as community_demo
from app.communities import practice_demo
from app.credentials import service as credentials
from app.credit import access, memberships, policies
from app.db import db, unit_of_work, utcnow
from app.images import badge_svg, validate_badge_image
from app.issuance import service as issuance
from app.learning import assessments as learning_assessments
from app.learning import frameworks as learning_frameworks
from app.learning import plans as learning_plans
from app.learning import research as learning_research
from app.models.accounts import User
from app.models.assertions import Assertion
from app.models.credentials import Credential
from app.models.credit import CreditCategory, CreditPolicy
from app.models.learning import (
    Competency,
    Framework,
    GrowthPlan,
    PreAttempt,
    ResearchProject,
    SelfAssessment,
)
from app.models.orgs import District, Issuer, Role, RoleGrant, School
from app.models.programs import OutsideProgram
from app.models.reviews import ReviewerQualification
from app.portfolio import service as portfolios
from app.programs import service as programs
from app.reviews import pool

DEMO_PASSWORD = "demo-password-1"


def _load(name: str) -> Any:
    """One data file of this package (read through importlib.resources, so it is found in
    an installed wheel as in the source tree)."""
    return json.loads(resources.files(__name__).joinpath(name).read_text(encoding="utf-8"))


def _credential_spec(raw: dict[str, Any], frameworks: dict[str, Any]) -> dict[str, Any]:
    """A credential of ``credentials.json`` in the shape the seeding reads: resources,
    criteria and alignments as tuples, each alignment with its framework's name and URL."""
    return {
        **raw,
        "research_resources": [(r["title"], r["url"]) for r in raw["research_resources"]],
        "criteria": [
            (c["title"], c["description"], c["prompts"], tuple(c["descriptors"]))
            for c in raw["criteria"]
        ],
        "alignments": [
            (
                frameworks[a["framework"]]["name"],
                a["code"],
                a["name"],
                frameworks[a["framework"]]["url"],
            )
            for a in raw["alignments"]
        ],
    }


_ORGANISATIONS = _load("organisations.json")
_CREDENTIALS = _load("credentials.json")
_CREDIT = _load("credit.json")
_LEARNING = _load("learning.json")
_COMMUNITIES = _load("communities.json")
_MEETINGS = _load("meetings.json")

ISSUER: dict[str, str] = _ORGANISATIONS["issuer"]
DISTRICT: dict[str, Any] = {
    **_ORGANISATIONS["district"],
    "schools": tuple(_ORGANISATIONS["district"]["schools"]),
}
# e-mail -> the person as written in organisations.json (name, school, roles, platform_admin).
PEOPLE: dict[str, dict[str, Any]] = {p["email"]: p for p in _ORGANISATIONS["people"]}
LEVELS: tuple[tuple[str, int], ...] = tuple(
    (level["name"], level["points"]) for level in _CREDENTIALS["levels"]
)
# Each criterion: (name, description, prompt numbers it judges (1-based), descriptors per level).
CREDENTIALS: list[dict[str, Any]] = [
    _credential_spec(raw, _CREDENTIALS["frameworks"]) for raw in _CREDENTIALS["credentials"]
]
# (name, required hours, cap hours or None)
CREDIT_CATEGORIES: tuple[tuple[str, int, int | None], ...] = tuple(
    (c["name"], c["required_hours"], c["cap_hours"]) for c in _CREDIT["categories"]
)


def _seed_organisations() -> tuple[Issuer, District, list[str]]:
    created: list[str] = []
    issuer = db.session.scalar(select(Issuer).where(Issuer.slug == ISSUER["slug"]))
    if issuer is None:
        issuer = Issuer(**ISSUER)
        db.session.add(issuer)
        created.append(f"issuer {ISSUER['name']}")
    district = db.session.scalar(select(District).where(District.slug == DISTRICT["slug"]))
    if district is None:
        district = District(slug=DISTRICT["slug"], name=DISTRICT["name"])
        db.session.add(district)
        created.append(f"district {DISTRICT['name']}")
    have = {school.name for school in district.schools}
    for name in DISTRICT["schools"]:
        if name not in have:
            district.schools.append(School(name=name))
            created.append(f"school {name}")
    db.session.flush()
    return issuer, district, created


def _seed_people(issuer: Issuer, district: District) -> list[str]:
    created: list[str] = []
    schools = {school.name: school for school in district.schools}
    orgs: dict[str, Issuer | District] = {"issuer": issuer, "district": district}
    password_hash: str | None = None
    for email, person in PEOPLE.items():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            password_hash = password_hash or hash_password(DEMO_PASSWORD)
            school = schools[person["school"]] if person.get("school") else None
            user = User(
                email=email,
                name=person["name"],
                password_hash=password_hash,
                email_confirmed_at=utcnow(),
                is_platform_admin=person.get("platform_admin", False),
                school_id=school.id if school else None,
            )
            db.session.add(user)
            db.session.flush()
            created.append(f"user {email}")
        for wanted in person.get("roles", []):
            role, org = Role(wanted["role"]), orgs[wanted["at"]]
            is_issuer = isinstance(org, Issuer)
            held = any(
                g.role == role and (g.issuer_id if is_issuer else g.district_id) == org.id
                for g in user.grants
            )
            if not held:
                user.grants.append(
                    RoleGrant(
                        role=role,
                        issuer_id=org.id if is_issuer else None,
                        district_id=None if is_issuer else org.id,
                    )
                )
                created.append(f"{role.label.lower()} role for {email}")
    db.session.flush()
    return created


def seed_demo() -> list[str]:
    """Create whatever demo data is missing; return what was created (empty: nothing to do).

    The caller commits. Existing rows are found by their natural keys (slugs, e-mails) and
    left as they are.
    """
    issuer, district, created = _seed_organisations()
    created += _seed_people(issuer, district)
    created += community_demo.seed_people(
        _COMMUNITIES, district, lambda: hash_password(DEMO_PASSWORD)
    )
    created += _seed_credentials(issuer)
    created += _seed_review_pool(issuer)
    created += _seed_badges(issuer)
    created += _seed_credit(issuer, district)
    created += _seed_learning(issuer)
    created += _seed_district_frameworks()
    created += _seed_growth_plans(issuer)
    created += community_demo.seed_communities(_COMMUNITIES, district)
    created += practice_demo.seed_meeting_policy(_MEETINGS, district)
    created += practice_demo.seed_meetings(_MEETINGS)
    created += _seed_action_research(issuer)
    created += _seed_outside_programs(issuer, district)
    created += _seed_portfolio()
    return created


def _seed_portfolio() -> list[str]:
    """The demo teacher's public portfolio (``/people/demo-teacher``), showing her demo badges
    (their own public pages switched on); only when she has no portfolio yet."""
    teacher = db.session.scalar(select(User).where(User.email == "teacher@demo.test"))
    if teacher is None or portfolios.portfolio_of(teacher).id is not None:
        return []
    badges = issuance.my_badges(teacher)
    for item in badges:
        issuance.set_public(teacher, item, True)
    portfolios.update(
        teacher,
        enabled=True,
        handle="demo-teacher",
        display_name=teacher.name,
        bio="Teacher at Lakeside Elementary School, learning about formative assessment and "
        "small-group instruction with my PLC.",
    )
    portfolios.choose_ours(teacher, [item.uid for item in badges])
    return ["public portfolio /people/demo-teacher for teacher@demo.test"]


def _seed_outside_programs(issuer: Issuer, district: District) -> list[str]:
    """The district's outside programs of ``credit.json`` (each with its credit policy), added
    by the demo officer and linked to competencies of the issuer's demo framework."""
    created: list[str] = []
    officer = db.session.scalar(select(User).where(User.email == "officer@demo.test"))
    if officer is None:
        return created
    categories = {c.name: c.id for c in policies.categories(district)}
    titles = dict(
        db.session.execute(
            select(Competency.title, Competency.id)
            .join(Framework, Framework.id == Competency.framework_id)
            .where(Framework.issuer_id == issuer.id, Framework.slug == "teaching-practice")
        ).all()
    )
    for spec in _CREDIT.get("outside_programs", []):
        if db.session.scalar(
            select(OutsideProgram.id).where(
                OutsideProgram.district_id == district.id, OutsideProgram.title == spec["title"]
            )
        ):
            continue
        terms = spec["policy"]
        existing = policies.policy_for(district, spec["badge_class_urls"][0])
        data: dict[str, Any] = {
            **{k: spec[k] for k in ("title", "provider", "url", "description")},
            "estimated_hours": spec["estimated_hours"],
            "competency_ids": [titles[t] for t in spec["competencies"] if t in titles],
            "badge_class_urls": spec["badge_class_urls"],
        }
        if existing is not None:
            data["policy_id"] = existing.id
        else:
            data["new_policy"] = {
                "hours": terms["hours"],
                "unit": terms["unit"],
                "category_id": categories[terms["category"]],
                "auto_approve": terms["auto_approve"],
            }
        programs.create_program(officer, district.id, data)
        created.append(f"outside program {spec['title']}")
    db.session.flush()
    return created


def _seed_learning(issuer: Issuer) -> list[str]:
    """The frameworks of ``learning.json``, written and published by the demo designer, and
    the demo teacher's past takes (only where she has none yet, so a second run adds none)."""
    created: list[str] = []
    slugs = dict(
        db.session.execute(
            select(Credential.slug, Credential.id).where(Credential.issuer_id == issuer.id)
        ).all()
    )
    by_slug: dict[str, Framework] = {}
    for spec in _LEARNING["frameworks"]:
        framework = db.session.scalar(
            select(Framework).where(
                Framework.issuer_id == issuer.id, Framework.slug == spec["slug"]
            )
        )
        if framework is None:
            designer = db.session.scalar(select(User).where(User.email == spec["designer"]))
            assert designer is not None  # _seed_people ran first
            data = {
                **spec,
                "domains": [
                    {
                        **domain,
                        "competencies": [
                            {**c, "credentials": [slugs[s] for s in c["credentials"] if s in slugs]}
                            for c in domain["competencies"]
                        ],
                    }
                    for domain in spec["domains"]
                ],
            }
            framework = learning_frameworks.create_framework(designer, issuer, data)
            learning_frameworks.publish(designer, framework)
            created.append(f"published framework {framework.title}")
        by_slug[spec["slug"]] = framework
    now = utcnow()
    seeded: set[tuple[int, int]] = set()
    for take in _LEARNING["self_assessments"]:
        user = db.session.scalar(select(User).where(User.email == take["email"]))
        framework = by_slug[take["framework"]]
        if user is None:
            continue
        had = db.session.scalar(
            select(SelfAssessment.id).where(
                SelfAssessment.user_id == user.id, SelfAssessment.framework_id == framework.id
            )
        )
        if had and (user.id, framework.id) not in seeded:
            continue
        seeded.add((user.id, framework.id))
        titles = {c.title: c.id for c in framework.competencies}
        learning_assessments.take_self_assessment(
            user,
            framework.id,
            [{"competency_id": titles[t], "level": n} for t, n in take["ratings"].items()],
            now=now - timedelta(days=take["days_ago"]),
        )
        created.append(f"self-assessment of {user.email} ({take['days_ago']} days ago)")
    for take in _LEARNING["pre_assessments"]:
        user = db.session.scalar(select(User).where(User.email == take["email"]))
        framework = by_slug[take["framework"]]
        competency = next(c for c in framework.competencies if c.title == take["competency"])
        if user is None or db.session.scalar(
            select(PreAttempt.id).where(
                PreAttempt.user_id == user.id, PreAttempt.competency_id == competency.id
            )
        ):
            continue
        learning_assessments.take_pre_assessment(
            user,
            competency.id,
            [
                {"question_id": q.id, "choice": choice}
                for q, choice in zip(competency.questions, take["choices"], strict=True)
            ],
            now=now - timedelta(days=take["days_ago"]),
        )
        created.append(f"pre-assessment of {user.email} on {competency.title}")
    db.session.flush()
    return created


def _seed_district_frameworks() -> list[str]:
    """The districts' frameworks of ``learning.json``, written and published by the district's
    credit officer; their competencies name credentials as ``issuer/credential`` slugs (a
    district's framework may name any issuer's)."""
    created: list[str] = []
    slugs = {
        f"{issuer_slug}/{slug}": credential_id
        for issuer_slug, slug, credential_id in db.session.execute(
            select(Issuer.slug, Credential.slug, Credential.id).join(
                Issuer, Issuer.id == Credential.issuer_id
            )
        ).all()
    }
    for spec in _LEARNING.get("district_frameworks", []):
        district = db.session.scalar(select(District).where(District.slug == spec["district"]))
        assert district is not None  # _seed_organisations ran first
        if db.session.scalar(
            select(Framework.id).where(
                Framework.district_id == district.id, Framework.slug == spec["slug"]
            )
        ):
            continue
        officer = db.session.scalar(select(User).where(User.email == spec["designer"]))
        assert officer is not None  # _seed_people ran first
        data = {
            **spec,
            "domains": [
                {
                    **domain,
                    "competencies": [
                        {**c, "credentials": [slugs[s] for s in c["credentials"] if s in slugs]}
                        for c in domain["competencies"]
                    ],
                }
                for domain in spec["domains"]
            ],
        }
        framework = learning_frameworks.create_framework(officer, district, data)
        learning_frameworks.publish(officer, framework)
        created.append(f"published framework {framework.title} ({district.name})")
    return created


def _seed_growth_plans(issuer: Issuer) -> list[str]:
    """The growth plans of ``learning.json`` (only for a teacher who has none yet): goals,
    dated progress, the invited coach (her invitation mail is sent) and her comments."""
    created: list[str] = []
    slugs = dict(
        db.session.execute(
            select(Credential.slug, Credential.id).where(Credential.issuer_id == issuer.id)
        ).all()
    )
    today = utcnow().date()
    for spec in _LEARNING.get("growth_plans", []):
        user = db.session.scalar(select(User).where(User.email == spec["email"]))
        if user is None or db.session.scalar(
            select(GrowthPlan.id).where(GrowthPlan.user_id == user.id)
        ):
            continue
        plan = learning_plans.create_plan(user, {"title": spec["title"]})
        for email in spec.get("coaches", []):
            learning_plans.invite_coach(user, plan.id, email)
        for goal_spec in spec["goals"]:
            titles = dict(db.session.execute(select(Competency.title, Competency.id)).all())
            goal = learning_plans.add_goal(
                user,
                plan.id,
                {
                    **goal_spec,
                    "target_date": today + timedelta(days=goal_spec["target_in_days"]),
                    "competency_ids": [titles[t] for t in goal_spec["competencies"]],
                    "credential_ids": [slugs[s] for s in goal_spec["credentials"] if s in slugs],
                },
            )
            for entry in goal_spec.get("progress", []):
                learning_plans.record_progress(
                    user,
                    goal.id,
                    {
                        "recorded_on": today - timedelta(days=entry["days_ago"]),
                        "value": entry["value"],
                        "note": entry["note"],
                    },
                )
            for remark in goal_spec.get("comments", []):
                author = db.session.scalar(select(User).where(User.email == remark["email"]))
                if author is not None:
                    learning_plans.comment(author, goal.id, {"body": remark["body"]})
        created.append(f"growth plan of {user.email}")
    db.session.flush()
    return created


def _demo_pdf(text: str) -> bytes:
    """A one-page PDF showing ``text`` (the demo's checkpoint file)."""
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(420, 200))
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    page.Contents = pdf.make_stream(f"BT /F1 14 Tf 24 100 Td ({escaped}) Tj ET".encode())
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    pdf.close()
    return out.getvalue()


def _seed_action_research(issuer: Issuer) -> list[str]:
    """The action research of ``learning.json`` (only for a teacher who has none yet), in her
    growth plan of that title: the template's steps, dated checkpoints (``in_days`` from
    today; negative: past), the posted ones with what she did and found, a file and her
    coach's feedback."""
    created: list[str] = []
    slugs = dict(
        db.session.execute(
            select(Credential.slug, Credential.id).where(Credential.issuer_id == issuer.id)
        ).all()
    )
    today = utcnow().date()
    for spec in _LEARNING.get("action_research", []):
        user = db.session.scalar(select(User).where(User.email == spec["email"]))
        if user is None or db.session.scalar(
            select(ResearchProject.id).where(ResearchProject.user_id == user.id)
        ):
            continue
        plan = db.session.scalar(
            select(GrowthPlan).where(
                GrowthPlan.user_id == user.id, GrowthPlan.title == spec["plan"]
            )
        )
        if plan is None:
            continue
        number = spec.get("goal")  # the plan's goal it serves, from 1
        goal = plan.goals[number - 1] if number and number <= len(plan.goals) else None
        steps = {k: spec.get(k, "") for k in ("title", *learning_research.STEP_NAMES)}
        project = learning_research.create_project(
            user,
            {
                **steps,
                "plan_id": plan.id,
                "goal_id": goal.id if goal else None,
                "credential_id": slugs.get(spec.get("credential", "")),
            },
        )
        for point in spec["checkpoints"]:
            due_on = today + timedelta(days=point["in_days"])
            made = learning_research.add_checkpoint(
                user, project.id, {"due_on": due_on, "focus": point.get("focus", "")}
            )
            if not point.get("did"):
                continue
            if point.get("file"):
                learning_research.add_file(
                    user,
                    project.id,
                    made.number,
                    io.BytesIO(_demo_pdf(point["file"]["text"])),
                    point["file"]["name"],
                )
            posted = learning_research.post_entry(
                user, project.id, made.number, {"did": point["did"], "found": point["found"]}
            )
            posted.posted_at = datetime.combine(due_on, time(16), tzinfo=UTC)  # on the day
            for remark in point.get("feedback", []):
                author = db.session.scalar(select(User).where(User.email == remark["email"]))
                if author is not None:
                    learning_research.give_feedback(
                        author, project.id, made.number, {"body": remark["body"]}
                    )
        created.append(f"action research of {user.email}")
    db.session.flush()
    return created


def _seed_credit(issuer: Issuer, district: District) -> list[str]:
    """The district's categories, an auto-approved and a reviewed policy, and the demo
    teacher as a member with an open renewal cycle."""
    created: list[str] = []
    have = {c.name: c for c in policies.categories(district)}
    for name, required, cap in CREDIT_CATEGORIES:
        if name not in have:
            row = CreditCategory(
                district_id=district.id,
                name=name,
                required_hours=Decimal(required),
                cap_hours=Decimal(cap) if cap else None,
            )
            db.session.add(row)
            have[name] = row
            created.append(f"credit category {name}")
    db.session.flush()
    for policy in _CREDIT["policies"]:
        slug = policy["credential"]
        credential = db.session.scalar(
            select(Credential).where(Credential.issuer_id == issuer.id, Credential.slug == slug)
        )
        if credential is None:
            continue
        exists = db.session.scalar(
            select(CreditPolicy.id).where(
                CreditPolicy.district_id == district.id,
                CreditPolicy.credential_id == credential.id,
            )
        )
        if not exists:
            db.session.add(
                CreditPolicy(
                    district_id=district.id,
                    credential_id=credential.id,
                    label=credential.latest_version.title,
                    hours=Decimal(policy["hours"]),
                    category_id=have[policy["category"]].id,
                    auto_approve=policy["auto_approve"],
                )
            )
            created.append(f"credit policy for {slug}")
    for email in _CREDIT["members"]:
        member = db.session.scalar(select(User).where(User.email == email))
        if member is not None and access.membership(member, district.id) is None:
            memberships.add_member(member, district, "invitation")
            created.append(f"{email} joined the district")
    db.session.flush()
    return created


def _seed_badges(issuer: Issuer) -> list[str]:
    """Signed badges in the demo teacher's backpack (awarded as a bulk row would be)."""
    created: list[str] = []
    for award in _CREDENTIALS["awards"]:
        credential = db.session.scalar(
            select(Credential).where(
                Credential.issuer_id == issuer.id, Credential.slug == award["credential"]
            )
        )
        user = db.session.scalar(select(User).where(User.email == award["email"]))
        if credential is None or credential.published_version is None or user is None:
            continue
        bulk_key = hashlib.sha256(f"demo|{credential.id}|{user.email}".encode()).hexdigest()
        if db.session.scalar(select(Assertion.id).where(Assertion.bulk_key == bulk_key)):
            continue
        issuance.issue(
            credential.published_version,
            email=user.email,
            user=user,
            issued_on=utcnow() - timedelta(days=award["days_ago"]),
            bulk_key=bulk_key,
        )
        created.append(f"badge {credential.published_version.title} for {user.email}")
    return created


def _seed_review_pool(issuer: Issuer) -> list[str]:
    """The demo reviewers, qualified for every demo credential; the senior one adjudicates."""
    created: list[str] = []
    credentials_of_issuer = [cid for cid, _ in pool.credentials_of(issuer)]
    for member in _ORGANISATIONS["review_pool"]:
        email = member["email"]
        user = db.session.scalar(select(User).where(User.email == email))
        assert user is not None  # _seed_people ran first
        profile = pool.profile_for(issuer, user)
        profile.senior = member.get("senior", False)
        have = {q.credential_id for q in profile.qualifications}
        for cid in credentials_of_issuer:
            if cid not in have:
                profile.qualifications.append(ReviewerQualification(credential_id=cid))
                created.append(f"qualification of {email} for credential {cid}")
    db.session.flush()
    return created


def _credential_data(spec: dict[str, Any]) -> dict[str, Any]:
    """The credential service's input for one demo credential."""
    level_names = [name for name, _ in LEVELS]
    prompts = [
        {
            "kind": p["kind"],
            "label": p["title"],
            "guidance": p["instructions"],
            "min_words": p.get("min_words"),
            "max_words": p.get("max_words"),
            "allowed_kinds": p.get("allowed_kinds", []),
            "max_mb": p.get("max_mb"),
        }
        for p in spec["prompts"]
    ]
    criteria = [
        {
            "title": title,
            "description": description,
            "prompts": judged,
            "levels": [
                {"name": name, "points": points, "descriptor": text}
                for (name, points), text in zip(LEVELS, descriptors, strict=True)
            ],
        }
        for title, description, judged, descriptors in spec["criteria"]
    ]
    return {
        "slug": spec["slug"],
        "title": spec["title"],
        "competency": spec["competency"],
        "key_method": spec["key_method"],
        "method_components": "\n".join(spec["method_components"]),
        "research_resources": [{"title": t, "url": u} for t, u in spec["research_resources"]],
        "alignments": [
            {"framework": f, "code": c, "name": n, "url": u} for f, c, n, u in spec["alignments"]
        ],
        "tags": spec["tags"],
        "grade_bands": spec["grade_bands"],
        "estimated_hours": spec["estimated_hours"],
        "validity_years": spec["validity_years"],
        "pass_min_level": level_names.index(spec["pass_min_level"]),
        "pass_min_total": spec["pass_min_total"],
        "max_attempts": spec.get("max_attempts", 3),
        "second_opinion_percent": 10,
        "prompts": prompts,
        "criteria": criteria,
    }


def _seed_credentials(issuer: Issuer) -> list[str]:
    """Create and publish each missing demo credential, as the demo designer would."""
    designer = db.session.scalar(select(User).where(User.email == "designer@demo.test"))
    assert designer is not None  # _seed_people ran first
    db.session.refresh(designer)
    created: list[str] = []
    for spec in CREDENTIALS:
        exists = db.session.scalar(
            select(Credential.id).where(
                Credential.issuer_id == issuer.id, Credential.slug == spec["slug"]
            )
        )
        if exists:
            continue
        credential = credentials.create_credential(designer, issuer, _credential_data(spec))
        image, mimetype = validate_badge_image(
            badge_svg(spec["initials"], spec["title"], spec["colour"]), "badge.svg"
        )
        credentials.set_image(designer, credential, image, mimetype)
        credentials.publish(designer, credential)
        created.append(f"published credential {spec['title']}")
    return created


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Create the demo issuer, credentials, district and one account per role (idempotent)."""
    with unit_of_work():
        created = seed_demo()
    if not created:
        click.echo("Demo data already present; nothing changed.")
        return
    click.echo(f"Created {len(created)} demo records:")
    for line in created:
        click.echo(f"  - {line}")
    click.echo(f"Demo logins use the password {DEMO_PASSWORD!r} (demo only).")
