"""Demo data: `flask --app app seed-demo`.

Creates (once; a second run changes nothing and says so) the Riverbend Teacher Learning
Collaborative with four published micro-credentials drawn from the seed articles' topics, the
Lakeside Unified School District with three schools, and one account per role, all with the
password ``demo-password-1``. These accounts exist only where this command was run.
"""

from __future__ import annotations

from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from app.auth.passwords import hash_password
from app.db import db, unit_of_work, utcnow
from app.images import badge_svg, validate_badge_image
from app.models.accounts import User
from app.models.orgs import District, Issuer, Role, RoleGrant, School

DEMO_PASSWORD = "demo-password-1"

ISSUER = {
    "slug": "riverbend",
    "name": "Riverbend Teacher Learning Collaborative",
    "url": "https://riverbend.example.org",
    "email": "credentials@riverbend.example.org",
    "description": (
        "A teacher-led collaborative that designs job-embedded, competency-based "
        "micro-credentials: teachers try a research-based practice with their own students, "
        "submit classroom evidence, and get feedback from trained peer reviewers."
    ),
}

DISTRICT = {
    "slug": "lakeside",
    "name": "Lakeside Unified School District",
    "schools": ("Lakeside Elementary School", "Harbor View Middle School", "Lakeside High School"),
}

# e-mail -> (name, school index or None); roles are granted in seed_demo().
PEOPLE = {
    "teacher@demo.test": ("Taylor Teacher", 0),
    "designer@demo.test": ("Dana Designer", None),
    # Reviewers come from outside the teacher's district: routing never gives a teacher's work
    # to a colleague from the same school or district.
    "reviewer1@demo.test": ("Riley Reviewer", None),
    "reviewer2@demo.test": ("Robin Reviewer", None),
    "senior@demo.test": ("Sam Senior", None),
    "officer@demo.test": ("Omar Officer", None),
    "admin@demo.test": ("Ada Admin", None),
}

LEVELS = (("Not yet", 0), ("Developing", 1), ("Proficient", 2), ("Exemplary", 3))

INTASC = "InTASC Model Core Teaching Standards"
INTASC_URL = (
    "https://ccsso.org/resource-library/"
    "intasc-model-core-teaching-standards-and-learning-progressions-teachers-10"
)
DANIELSON = "Danielson Framework for Teaching"
DANIELSON_URL = "https://danielsongroup.org/the-framework-for-teaching/"
LEARNING_FORWARD = "Learning Forward Standards for Professional Learning"
LEARNING_FORWARD_URL = "https://learningforward.org/standards-for-professional-learning/"

# Each criterion: (name, description, prompt numbers it judges (1-based), descriptors per level).
CREDENTIALS: list[dict[str, Any]] = [
    {
        "slug": "morning-meeting",
        "title": "Running a Morning Meeting",
        "colour": "#1d4f91",
        "initials": "MM",
        "competency": (
            "The educator plans and leads a daily morning meeting that builds a safe, "
            "inclusive classroom community and sets a positive tone for learning."
        ),
        "key_method": (
            "Hold a structured 15-30 minute circle meeting at the start of each day with four "
            "components (greeting, sharing, group activity, morning message), taught "
            "explicitly and run consistently for at least three weeks."
        ),
        "method_components": [
            "Greeting: every student is greeted by name and greets others.",
            "Sharing: a few students share news or ideas; others listen and respond.",
            "Group activity: a short, inclusive activity that builds cohesion or practises skills.",
            "Morning message: a written message that previews the day and invites engagement.",
            "Norms: meeting expectations are modelled, practised and revisited with students.",
        ],
        "research_resources": [
            (
                "What is Morning Meeting? (Responsive Classroom)",
                "https://www.responsiveclassroom.org/what-is-morning-meeting/",
            ),
            (
                "CASEL: What is the CASEL framework?",
                "https://casel.org/fundamentals-of-sel/what-is-the-casel-framework/",
            ),
            (
                "Riverbend planning template for morning meetings",
                "https://riverbend.example.org/resources/morning-meeting-planner",
            ),
        ],
        "prompts": [
            {
                "kind": "text",
                "title": "Context and plan",
                "instructions": (
                    "Describe your class (grade, size, needs) and your plan for each of the "
                    "four morning meeting components. Explain why you chose them."
                ),
                "min_words": 200,
                "max_words": 600,
            },
            {
                "kind": "file",
                "title": "Video of a morning meeting",
                "instructions": (
                    "Upload a 5-10 minute video (or an annotated lesson plan with photos if "
                    "video is not allowed at your school) of one complete morning meeting. "
                    "Blur or omit student faces where consent is missing."
                ),
                "allowed_kinds": ["mp4", "mov", "pdf"],
                "max_mb": 200,
            },
            {
                "kind": "text",
                "title": "Reflection on impact",
                "instructions": (
                    "After at least three weeks, what changed in your classroom community? "
                    "Use evidence such as student comments, behaviour notes or a short survey."
                ),
                "min_words": 250,
                "max_words": 700,
            },
        ],
        "criteria": [
            (
                "Planning of the four components",
                "The plan includes all four components with a clear purpose for each.",
                [1],
                (
                    "Fewer than four components are planned, or their purpose is unclear.",
                    "All four components are planned; purposes are stated in general terms.",
                    "All four components are planned with a clear purpose matched to the class.",
                    "The plan adapts each component to students' specific needs and goals.",
                ),
            ),
            (
                "Inclusive facilitation",
                "Every student is greeted and has a safe way to take part.",
                [2],
                (
                    "Several students are left out or the meeting is teacher-dominated.",
                    "Most students take part; participation is uneven.",
                    "Every student is greeted and takes part; norms are used respectfully.",
                    "Students lead parts of the meeting and support each other's participation.",
                ),
            ),
            (
                "Routine and pacing",
                "A predictable structure, at a pace that keeps students engaged.",
                [2],
                (
                    "No recognisable structure, or the meeting runs far over time.",
                    "The structure is present but transitions are slow or unclear.",
                    "A predictable structure with smooth transitions, within 15-30 minutes.",
                    "Students know the routine well enough to run transitions themselves.",
                ),
            ),
            (
                "Evidence of impact and next steps",
                "The reflection uses classroom evidence to judge impact and plan next steps.",
                [3],
                (
                    "The reflection describes activities but gives no evidence of impact.",
                    "Some evidence is given; conclusions go beyond it.",
                    "Specific evidence supports the conclusions and names a next step.",
                    "Evidence from several sources, including student voice, drives next steps.",
                ),
            ),
        ],
        "pass_min_level": "Proficient",
        "pass_min_total": None,
        "alignments": [
            (INTASC, "Standard 3", "Learning Environments", INTASC_URL),
            (DANIELSON, "2a", "Creating an Environment of Respect and Rapport", DANIELSON_URL),
            (DANIELSON, "2b", "Establishing a Culture for Learning", DANIELSON_URL),
        ],
        "tags": ["classroom community", "social-emotional learning", "routines"],
        "grade_bands": ["PreK-2", "3-5"],
        "estimated_hours": 10,
        "validity_years": None,
    },
    {
        "slug": "exit-tickets",
        "title": "Exit Tickets for Formative Assessment",
        "colour": "#8a4b00",
        "initials": "ET",
        "competency": (
            "The educator uses exit tickets aligned to a lesson objective to check every "
            "student's understanding and adjusts the next lesson based on the results."
        ),
        "key_method": (
            "End a lesson with a short (1-3 question) task tied to the objective, sort the "
            "responses into groups within a day, and change the next lesson for each group."
        ),
        "method_components": [
            "Write a clear, measurable lesson objective.",
            "Design 1-3 exit questions that reveal whether the objective was met.",
            "Sort responses (got it / almost / not yet) within 24 hours.",
            "Plan and teach a responsive next step for each group.",
            "Share the results with students so they can track their own progress.",
        ],
        "research_resources": [
            (
                "Black & Wiliam, Inside the Black Box: Raising Standards Through Classroom "
                "Assessment",
                "https://doi.org/10.1177/003172171009200119",
            ),
            (
                "Edutopia: 8 Quick Checks for Understanding",
                "https://www.edutopia.org/article/8-quick-checks-understanding",
            ),
            (
                "Riverbend exit ticket sorting sheet",
                "https://riverbend.example.org/resources/exit-ticket-sort",
            ),
        ],
        "prompts": [
            {
                "kind": "file",
                "title": "Lesson objective and exit ticket",
                "instructions": (
                    "Upload the lesson objective and the exit ticket you gave, plus three "
                    "anonymised student responses: one got it, one almost, one not yet."
                ),
                "allowed_kinds": ["pdf", "docx", "png", "jpg"],
                "max_mb": 20,
            },
            {
                "kind": "text",
                "title": "Analysis and adjustment",
                "instructions": (
                    "Summarise what the responses showed (how many students in each group) "
                    "and describe exactly how you changed the next lesson for each group."
                ),
                "min_words": 300,
                "max_words": 800,
            },
        ],
        "criteria": [
            (
                "Alignment to the objective",
                "The exit ticket measures the stated lesson objective.",
                [1],
                (
                    "The questions do not match the objective.",
                    "The questions partly match the objective.",
                    "The questions directly measure the objective.",
                    "The questions also reveal specific misconceptions to act on.",
                ),
            ),
            (
                "Analysis of student responses",
                "Responses are sorted and patterns are described accurately.",
                [1, 2],
                (
                    "Responses are not analysed.",
                    "Responses are sorted but patterns are not described.",
                    "Responses are sorted with accurate counts and clear patterns.",
                    "The analysis identifies the thinking behind errors in each group.",
                ),
            ),
            (
                "Instructional adjustment",
                "The next lesson changes in response to the evidence.",
                [2],
                (
                    "The next lesson is unchanged.",
                    "One change is made for the whole class.",
                    "A specific next step is planned for each group.",
                    "Next steps are targeted, and their effect is checked again.",
                ),
            ),
        ],
        "pass_min_level": "Proficient",
        "pass_min_total": 6,
        "alignments": [
            (INTASC, "Standard 6", "Assessment", INTASC_URL),
            (DANIELSON, "3d", "Using Assessment in Instruction", DANIELSON_URL),
            (DANIELSON, "1f", "Designing Student Assessments", DANIELSON_URL),
        ],
        "tags": ["formative assessment", "assessment", "data"],
        "grade_bands": ["3-5", "6-8", "9-12"],
        "estimated_hours": 8,
        "validity_years": 5,
    },
    {
        "slug": "small-group-instruction",
        "title": "Data-Driven Small-Group Instruction",
        "colour": "#1d6b3a",
        "initials": "SG",
        "competency": (
            "The educator uses student data to form flexible small groups and delivers "
            "targeted instruction that moves each group toward a learning goal."
        ),
        "key_method": (
            "Analyse a recent assessment to form 3-4 flexible groups, plan a targeted "
            "mini-lesson for each, teach them over two weeks, and regroup using new data."
        ),
        "method_components": [
            "Choose a recent, standards-aligned assessment and analyse it by skill.",
            "Form flexible groups based on the skill each group needs next.",
            "Plan a focused mini-lesson and practice task for each group.",
            "Keep the rest of the class productively engaged during group time.",
            "Reassess after two weeks and regroup students based on the new data.",
        ],
        "research_resources": [
            (
                "IES practice guide: Using Student Achievement Data to Support Instructional "
                "Decision Making",
                "https://ies.ed.gov/ncee/wwc/PracticeGuide/12",
            ),
            (
                "Reading Rockets: Flexible grouping",
                "https://www.readingrockets.org/topics/differentiated-instruction/articles/"
                "grouping-students-who-struggle-reading",
            ),
            (
                "Riverbend data-to-groups protocol",
                "https://riverbend.example.org/resources/data-to-groups",
            ),
        ],
        "prompts": [
            {
                "kind": "file",
                "title": "Data analysis and grouping plan",
                "instructions": (
                    "Upload your anonymised data summary (a spreadsheet or a table) and the "
                    "groups you formed, with the skill each group will work on."
                ),
                "allowed_kinds": ["xlsx", "csv", "pdf"],
                "max_mb": 10,
            },
            {
                "kind": "link",
                "title": "Lesson materials",
                "instructions": (
                    "Share a link to the mini-lesson plans and practice tasks for each group "
                    "(for example a shared folder that reviewers can open)."
                ),
            },
            {
                "kind": "text",
                "title": "Results and regrouping",
                "instructions": (
                    "Report the reassessment results for each group, how you regrouped "
                    "students, and what you will do differently next time."
                ),
                "min_words": 300,
                "max_words": 900,
            },
        ],
        "criteria": [
            (
                "Use of data to form groups",
                "Groups follow from an accurate analysis of student data by skill.",
                [1],
                (
                    "Groups are not based on data.",
                    "Groups use overall scores rather than specific skills.",
                    "Groups are formed from a skill-level analysis of the data.",
                    "Several data sources are combined and the grouping rationale is explicit.",
                ),
            ),
            (
                "Targeted instruction",
                "Each group's lesson addresses the skill its data points to.",
                [2],
                (
                    "All groups receive the same lesson.",
                    "Lessons differ but are only loosely tied to each group's need.",
                    "Each lesson targets its group's identified skill.",
                    "Lessons are targeted and scaffolded, with planned extensions.",
                ),
            ),
            (
                "Monitoring progress and regrouping",
                "New data is used to measure growth and regroup students.",
                [1, 3],
                (
                    "No reassessment is reported.",
                    "Reassessment is reported but groups stay the same.",
                    "Growth is measured and students are regrouped on the new data.",
                    "Regrouping is explained student by student with clear next goals.",
                ),
            ),
            (
                "Reflection on practice",
                "The teacher draws specific lessons for future instruction.",
                [3],
                (
                    "No reflection on the teacher's own practice.",
                    "General reflection without specific changes.",
                    "Specific, evidence-based changes for next time.",
                    "Changes are linked to research and shared with colleagues.",
                ),
            ),
        ],
        "pass_min_level": "Developing",
        "pass_min_total": 8,
        "alignments": [
            (INTASC, "Standard 7", "Planning for Instruction", INTASC_URL),
            (INTASC, "Standard 8", "Instructional Strategies", INTASC_URL),
            (DANIELSON, "3c", "Engaging Students in Learning", DANIELSON_URL),
        ],
        "tags": ["data", "differentiation", "personalized learning"],
        "grade_bands": ["PreK-2", "3-5", "6-8"],
        "estimated_hours": 15,
        "validity_years": 5,
    },
    {
        "slug": "plc-facilitation",
        "title": "Facilitating a Professional Learning Community",
        "colour": "#5b2a86",
        "initials": "PLC",
        "competency": (
            "The educator facilitates a professional learning community in which colleagues "
            "examine student work together and commit to changes in their practice."
        ),
        "key_method": (
            "Lead at least three PLC meetings around a shared question, using a protocol to "
            "look at student work, and track the commitments colleagues make and keep."
        ),
        "method_components": [
            "Agree a focus question grounded in student learning with the team.",
            "Use a structured protocol (for example Tuning or Looking at Student Work).",
            "Set norms and share facilitation roles.",
            "Record each member's commitment to try something in class.",
            "Follow up on commitments with evidence at the next meeting.",
        ],
        "research_resources": [
            (
                "DuFour, What Is a Professional Learning Community? (ASCD)",
                "https://www.ascd.org/el/articles/what-is-a-professional-learning-community",
            ),
            ("Learning Forward: Standards for Professional Learning", LEARNING_FORWARD_URL),
            (
                "School Reform Initiative protocols",
                "https://www.schoolreforminitiative.org/protocols/",
            ),
        ],
        "prompts": [
            {
                "kind": "file",
                "title": "Agendas and notes",
                "instructions": (
                    "Upload the agendas and notes from three PLC meetings, with the protocol "
                    "you used and the commitments recorded (names may be replaced by initials)."
                ),
                "allowed_kinds": ["pdf", "docx"],
                "max_mb": 20,
            },
            {
                "kind": "text",
                "title": "Facilitation reflection",
                "instructions": (
                    "Describe how you facilitated: how you kept the focus on student work, "
                    "handled disagreement, and shared leadership. What evidence shows that "
                    "colleagues changed their practice?"
                ),
                "min_words": 400,
                "max_words": 1000,
            },
        ],
        "criteria": [
            (
                "Focus on student learning",
                "Meetings centre on a shared question and real student work.",
                [1],
                (
                    "Meetings are about logistics, not student learning.",
                    "Student learning is discussed without shared work or a question.",
                    "A shared question and student work anchor every meeting.",
                    "The team refines its question as evidence accumulates.",
                ),
            ),
            (
                "Use of protocols and norms",
                "A structured protocol and agreed norms keep talk productive.",
                [1, 2],
                (
                    "No protocol or norms.",
                    "A protocol is used inconsistently.",
                    "A protocol and norms are used and referred to.",
                    "Members lead protocols and revise norms together.",
                ),
            ),
            (
                "Commitments and follow-up",
                "Colleagues make specific commitments and report back with evidence.",
                [1, 2],
                (
                    "No commitments are recorded.",
                    "Commitments are vague or not followed up.",
                    "Specific commitments are recorded and followed up.",
                    "Follow-up shows changed practice and effect on students.",
                ),
            ),
        ],
        "pass_min_level": "Proficient",
        "pass_min_total": None,
        "alignments": [
            (INTASC, "Standard 10", "Leadership and Collaboration", INTASC_URL),
            (DANIELSON, "4d", "Participating in the Professional Community", DANIELSON_URL),
            (
                LEARNING_FORWARD,
                "Learning Communities",
                "Learning Communities",
                LEARNING_FORWARD_URL,
            ),
        ],
        "tags": ["collaboration", "professional learning", "leadership"],
        "grade_bands": ["PreK-2", "3-5", "6-8", "9-12"],
        "estimated_hours": 12,
        "validity_years": None,
    },
]


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
    password_hash: str | None = None
    wanted_grants = {
        "designer@demo.test": [(Role.DESIGNER, issuer), (Role.ISSUER_ADMIN, issuer)],
        "reviewer1@demo.test": [(Role.REVIEWER, issuer)],
        "reviewer2@demo.test": [(Role.REVIEWER, issuer)],
        "senior@demo.test": [(Role.REVIEWER, issuer)],
        "officer@demo.test": [(Role.CREDIT_OFFICER, district)],
    }
    for email, (name, school_index) in PEOPLE.items():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            password_hash = password_hash or hash_password(DEMO_PASSWORD)
            school = (
                schools[DISTRICT["schools"][school_index]] if school_index is not None else None
            )
            user = User(
                email=email,
                name=name,
                password_hash=password_hash,
                email_confirmed_at=utcnow(),
                is_platform_admin=email == "admin@demo.test",
                school_id=school.id if school else None,
            )
            db.session.add(user)
            db.session.flush()
            created.append(f"user {email}")
        for role, org in wanted_grants.get(email, []):
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
    created += _seed_credentials(issuer)
    created += _seed_review_pool(issuer)
    created += _seed_badge(issuer)
    created += _seed_credit(issuer, district)
    return created


CREDIT_CATEGORIES = (
    ("Content knowledge", 40, None),
    ("Pedagogy", 50, 60),
    ("Equity and inclusion", 30, None),
    ("Technology", 15, 30),
)


def _seed_credit(issuer: Issuer, district: District) -> list[str]:
    """The district's categories, an auto-approved and a reviewed policy, and the demo
    teacher as a member with an open renewal cycle."""
    from decimal import Decimal

    from app.credit import service as credit
    from app.models.credentials import Credential
    from app.models.credit import CreditCategory, CreditPolicy

    created: list[str] = []
    have = {c.name: c for c in credit.categories(district)}
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
    wanted = (("morning-meeting", 10, "Pedagogy", True), ("exit-tickets", 8, "Pedagogy", False))
    for slug, hours, category, auto in wanted:
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
                    hours=Decimal(hours),
                    category_id=have[category].id,
                    auto_approve=auto,
                )
            )
            created.append(f"credit policy for {slug}")
    teacher = db.session.scalar(select(User).where(User.email == "teacher@demo.test"))
    if teacher is not None and credit.membership(teacher, district.id) is None:
        credit.add_member(teacher, district, "invitation")
        created.append("teacher@demo.test joined the district")
    db.session.flush()
    return created


def _seed_badge(issuer: Issuer) -> list[str]:
    """One signed badge in the demo teacher's backpack (awarded as a bulk row would be)."""
    import hashlib
    from datetime import timedelta

    from app.issuance import service
    from app.models.assertions import Assertion
    from app.models.credentials import Credential

    credential = db.session.scalar(
        select(Credential).where(
            Credential.issuer_id == issuer.id, Credential.slug == "morning-meeting"
        )
    )
    teacher = db.session.scalar(select(User).where(User.email == "teacher@demo.test"))
    if credential is None or credential.published_version is None or teacher is None:
        return []
    bulk_key = hashlib.sha256(f"demo|{credential.id}|{teacher.email}".encode()).hexdigest()
    if db.session.scalar(select(Assertion.id).where(Assertion.bulk_key == bulk_key)):
        return []
    service.issue(
        credential.published_version,
        email=teacher.email,
        user=teacher,
        issued_on=utcnow() - timedelta(days=30),
        bulk_key=bulk_key,
    )
    return [f"badge {credential.published_version.title} for teacher@demo.test"]


def _seed_review_pool(issuer: Issuer) -> list[str]:
    """The demo reviewers, qualified for every demo credential; the senior one adjudicates."""
    from app.models.reviews import ReviewerQualification
    from app.reviews import pool

    created: list[str] = []
    credentials = [cid for cid, _ in pool.credentials_of(issuer)]
    for email in ("reviewer1@demo.test", "reviewer2@demo.test", "senior@demo.test"):
        user = db.session.scalar(select(User).where(User.email == email))
        assert user is not None  # _seed_people ran first
        profile = pool.profile_for(issuer, user)
        profile.senior = email == "senior@demo.test"
        have = {q.credential_id for q in profile.qualifications}
        for cid in credentials:
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
    from app.credentials import service
    from app.models.credentials import Credential

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
        credential = service.create_credential(designer, issuer, _credential_data(spec))
        image, mimetype = validate_badge_image(
            badge_svg(spec["initials"], spec["title"], spec["colour"]), "badge.svg"
        )
        service.set_image(designer, credential, image, mimetype)
        service.publish(designer, credential)
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
