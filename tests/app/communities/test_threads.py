"""Threads: members post text (shown escaped), http(s) links and files through the evidence
storage (sniffed, cleaned, capped; a hostile or oversized file is refused and nothing is
stored); non-members see nothing; lists cost the same statements at any size."""

from __future__ import annotations

import io
from typing import Any

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.communities import threads
from app.db import db
from app.errors import InvalidInput, NotFound
from app.models.communities import CommunityFile, CommunityPost, CommunityThread
from app.storage import storage
from tests.app.communities.world import Cohort, build_cohort, community
from tests.app.people import sign_in
from tests.app.submissions.helpers import auth_for
from tests.documents import PDF
from tests.queries import count_statements

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(512)


@pytest.fixture
def settings(settings: Any) -> Any:
    return settings.with_changes(max_evidence_mb=1)


@pytest.fixture
def cohort(app: Any) -> Cohort:
    return build_cohort()


def count(model: Any) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_a_member_starts_a_thread_with_a_file_and_others_reply(cohort: Cohort, client: Any) -> None:
    made = community(cohort, members=(cohort.ben,))
    sign_in(client, cohort.ana)
    posted = client.submit(
        f"/communities/{made.id}/threads",
        {
            "title": "Our first exit tickets",
            "body": "Here is mine.\n<script>alert('x')</script>",
            "link": "https://example.org/tickets",
            "file": (io.BytesIO(PDF), "ticket.pdf"),
        },
        page=f"/communities/{made.id}",
        content_type="multipart/form-data",
    )
    assert posted.status_code == 303, posted.get_data(as_text=True)[:500]
    [record] = db.session.scalars(select(CommunityFile)).all()
    assert record.storage_key.startswith(f"communities/{made.id}/")
    assert record.storage_key.endswith(".pdf")
    assert storage().keys(f"communities/{made.id}/") == [record.storage_key]
    thread = db.session.scalars(select(CommunityThread)).one()
    sign_in(client, cohort.ben)
    page = client.get(f"/communities/{made.id}/threads/{thread.id}").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page
    assert 'href="https://example.org/tickets"' in page
    got = client.get(f"/communities/{made.id}/files/{record.id}")
    assert got.status_code == 200
    assert got.get_data().startswith(b"%PDF")
    replied = client.submit(
        f"/communities/{made.id}/threads/{thread.id}/posts",
        {"body": "Thanks!"},
        page=f"/communities/{made.id}/threads/{thread.id}",
    )
    assert replied.status_code == 303
    db.session.expire_all()
    assert db.session.get(CommunityThread, thread.id).post_count == 2
    # Outsiders: the thread, its posts and its file are not found.
    sign_in(client, cohort.dee)
    assert client.get(f"/communities/{made.id}/threads/{thread.id}").status_code == 404
    assert client.get(f"/communities/{made.id}/files/{record.id}").status_code == 404
    # A file id of another community is not found through this one.
    other = community(cohort, title="Other", members=(cohort.ben,))
    sign_in(client, cohort.ben)
    assert client.get(f"/communities/{other.id}/files/{record.id}").status_code == 404


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (SVG, "drawing.svg", "accepts"),
        (EXE, "setup.exe", "cannot recognise"),
        (b"", "empty.pdf", "empty"),
        (PDF + bytes(1024 * 1024 + 10), "huge.pdf", "larger than 1 MB"),
    ],
)
def test_a_hostile_or_oversized_file_is_refused_and_nothing_is_stored(
    cohort: Cohort, client: Any, content: bytes, name: str, message: str
) -> None:
    made = community(cohort)
    with pytest.raises(InvalidInput) as refused:
        threads.start_thread(
            cohort.ana,
            made.id,
            {"title": "T", "body": "B"},
            threads.Upload(io.BytesIO(content), name),
        )
    assert message in refused.value.message
    db.session.rollback()
    sign_in(client, cohort.ana)
    # Encoded in memory: the test client would spool a large body to a temporary file it
    # never closes.
    boundary, body = encode_multipart(
        {
            "csrf_token": client.csrf_token(f"/communities/{made.id}"),
            "title": "T",
            "body": "B",
            "file": FileStorage(io.BytesIO(content), name),
        }
    )
    page = client.post(
        f"/communities/{made.id}/threads",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert page.status_code == 422
    assert message in page.get_data(as_text=True)
    assert count(CommunityThread) == 0
    assert count(CommunityPost) == 0
    assert count(CommunityFile) == 0
    assert storage().keys("communities/") == []


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "", "body": "B"}, "title"),
        ({"title": "T", "body": ""}, "body"),
        ({"title": "T", "body": "x" * 5001}, "body"),
        ({"title": "T", "body": "B", "link": "javascript:alert(1)"}, "link"),
        ({"title": "T", "body": "B", "link": "ftp://example.org/x"}, "link"),
        ({"title": "T", "body": "B", "link": "https://"}, "link"),
    ],
)
def test_bad_posts_are_refused_with_field_messages(
    cohort: Cohort, data: dict[str, Any], field: str
) -> None:
    made = community(cohort)
    with pytest.raises(InvalidInput) as refused:
        threads.start_thread(cohort.ana, made.id, data)
    assert field in refused.value.fields
    db.session.rollback()
    assert count(CommunityThread) == 0


def test_a_non_member_cannot_post(cohort: Cohort, client: Any) -> None:
    made = community(cohort, visibility="listed")
    with pytest.raises(NotFound):
        threads.start_thread(cohort.dee, made.id, {"title": "T", "body": "B"})
    db.session.rollback()
    auth = auth_for(client, cohort.dee.email)
    posted = client.post(
        f"/api/v1/communities/{made.id}/posts", json={"title": "T", "body": "B"}, headers=auth
    )
    assert posted.status_code == 404
    assert client.get(f"/api/v1/communities/{made.id}/posts", headers=auth).status_code == 404
    assert count(CommunityThread) == 0


def test_the_api_posts_threads_replies_and_files(cohort: Cohort, client: Any) -> None:
    made = community(cohort, members=(cohort.ben,))
    auth = auth_for(client, cohort.ana.email)
    started = client.post(
        f"/api/v1/communities/{made.id}/posts",
        json={"title": "Norms", "body": "Let's agree on norms.", "link": "https://example.org"},
        headers=auth,
    )
    assert started.status_code == 201, started.get_json()
    thread_id = started.get_json()["thread"]["id"]
    replied = client.post(
        f"/api/v1/communities/{made.id}/posts",
        data={
            "thread_id": str(thread_id),
            "body": "With a file",
            "file": (io.BytesIO(PDF), "n.pdf"),
        },
        headers=auth_for(client, cohort.ben.email),
        content_type="multipart/form-data",
    )
    assert replied.status_code == 201, replied.get_json()
    assert replied.get_json()["files"][0]["kind"] == "pdf"
    listed = client.get(f"/api/v1/communities/{made.id}/posts", headers=auth).get_json()
    assert [p["body"] for p in listed["posts"]] == ["With a file", "Let's agree on norms."]
    one = client.get(
        f"/api/v1/communities/{made.id}/posts?thread_id={thread_id}", headers=auth
    ).get_json()
    assert [p["body"] for p in one["posts"]] == ["Let's agree on norms.", "With a file"]
    bad = client.post(
        f"/api/v1/communities/{made.id}/posts",
        json={"title": "X", "body": "Y", "link": "javascript:alert(1)"},
        headers=auth,
    )
    assert bad.status_code == 422
    assert count(CommunityPost) == 2


def test_thread_and_post_lists_cost_the_same_statements_at_any_size(
    cohort: Cohort, client: Any
) -> None:
    made = community(cohort, members=(cohort.ben,))
    first = threads.start_thread(cohort.ana, made.id, {"title": "T0", "body": "B"})
    db.session.commit()
    sign_in(client, cohort.ben)
    urls = [f"/communities/{made.id}", f"/communities/{made.id}/threads/{first.id}"]
    api = f"/api/v1/communities/{made.id}/posts"
    auth = auth_for(client, cohort.ben.email)
    for url in urls:
        client.get(url)
    small = []
    for url in urls:
        with count_statements(db.engine) as seen:
            assert client.get(url).status_code == 200
        small.append(seen.count)
    with count_statements(db.engine) as api_small:
        client.get(api, headers=auth)
    for n in range(12):
        threads.start_thread(cohort.ben, made.id, {"title": f"T{n + 1}", "body": "B"})
        threads.reply(
            cohort.ana,
            made.id,
            first.id,
            {"body": f"R{n}"},
            threads.Upload(io.BytesIO(PDF), "r.pdf") if n % 3 == 0 else None,
        )
    db.session.commit()
    large = []
    for url in urls:
        with count_statements(db.engine) as seen:
            assert client.get(url).status_code == 200
        large.append(seen.count)
    with count_statements(db.engine) as api_large:
        client.get(api, headers=auth)
    assert large == small
    assert api_large.count == api_small.count


def test_cleanup_removes_community_objects_no_post_points_at(cohort: Cohort, runner: Any) -> None:
    made = community(cohort)
    kept = threads.start_thread(
        cohort.ana,
        made.id,
        {"title": "T", "body": "B"},
        threads.Upload(io.BytesIO(PDF), "kept.pdf"),
    )
    db.session.commit()
    [key] = threads.stored_keys(kept.id)
    orphan = f"communities/{made.id}/orphan.pdf"
    storage().put(orphan, io.BytesIO(PDF), limit=len(PDF) + 1, content_type="application/pdf")
    result = runner.invoke(args=["cleanup-evidence", "--min-age", "0"])
    assert result.exit_code == 0, result.output
    assert f"removed {orphan}" in result.output
    assert storage().keys("communities/") == [key]
