"""API: professional learning communities, their members and posts, and peer feedback on
drafts (a token with the ``communities`` scope). The same rules as the pages: a community one
may not see, another's draft or a request in a community one is not in is 404."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from app.api import bp, json_body
from app.auth.scopes import requires_scope
from app.communities import feedback, service, threads
from app.communities.schemas import (
    CommentsInSchema,
    CommunityInSchema,
    CommunitySummarySchema,
    FeedbackRequestInSchema,
    FeedbackRequestOutSchema,
    InvitationOutSchema,
    MemberInSchema,
    MemberOutSchema,
    MembershipOutSchema,
    PeerCommentOutSchema,
    PostInSchema,
    PostOutSchema,
)
from app.db import db
from app.errors import InvalidInput
from app.pagination import api_page, page_args
from app.security import body_limit, login_required
from app.storage import storage


@bp.get("/communities")
@requires_scope("communities")
@login_required
def list_communities() -> Any:
    """The communities you belong to or asked to join, newest first; ``?find=1`` lists
    instead the listed ones in your scope you may ask to join."""
    finding = request.args.get("find") == "1"
    page = (service.discover if finding else service.mine)(current_user, page_args())
    return jsonify(
        api_page(
            page,
            "communities",
            CommunitySummarySchema(many=True).dump,
            "api.list_communities",
        )
    )


@bp.post("/communities")
@requires_scope("communities")
@login_required
def create_community() -> Any:
    """``{title, purpose?, credential_id?, scope?: school|district|open, district_id?,
    visibility?: listed|private}`` → the community, with you as its facilitator (201)."""
    body = json_body(CommunityInSchema())
    made = service.create(current_user, body)
    return jsonify(CommunitySummarySchema().dump(made)), 201


@bp.get("/communities/<int:community_id>")
@requires_scope("communities")
@login_required
def get_community(community_id: int) -> Any:
    """A community you may see. A member gets its members (a page, ``?page``), each with
    exactly what she shows, and her own membership; someone who may join gets its summary
    and whether she is invited or waiting."""
    found = service.view(current_user, community_id)
    dumped: dict[str, Any] = CommunitySummarySchema().dump(found.community)
    dumped["membership"] = MembershipOutSchema().dump(found.member) if found.member else None
    dumped["invited"] = found.invitation is not None
    if found.is_member:
        members = service.members(found, page_args())
        dumped["members"] = api_page(
            members,
            "members",
            MemberOutSchema(many=True).dump,
            "api.get_community",
            community_id=community_id,
        )
    return jsonify(dumped)


@bp.post("/communities/<int:community_id>/members")
@requires_scope("communities")
@login_required
def add_community_member(community_id: int) -> Any:
    """``{email}``: a facilitator invites someone (an e-mail leaves) → the invitation (201).
    ``{}``: join yourself, at once when invited, else as a request a facilitator decides →
    your membership (201)."""
    body = json_body(MemberInSchema())
    if "email" in body:
        invitation = service.invite(current_user, community_id, body["email"])
        return jsonify({"invitation": InvitationOutSchema().dump(invitation)}), 201
    member = service.join(current_user, community_id)
    return jsonify({"membership": MembershipOutSchema().dump(member)}), 201


@bp.get("/communities/<int:community_id>/posts")
@requires_scope("communities")
@login_required
def list_community_posts(community_id: int) -> Any:
    """The posts of a community you are a member of, newest first (``?thread_id`` for one
    thread's, oldest first)."""
    found = service.member_view(current_user, community_id)
    thread = None
    thread_id = request.args.get("thread_id")
    if thread_id is not None:
        if not thread_id.isdigit():
            raise InvalidInput(_("thread_id is a number."), {"thread_id": [_("A thread id.")]})
        thread = threads.thread_view(current_user, community_id, int(thread_id))[1]
    page = threads.community_posts(found, thread, page_args())
    return jsonify(
        api_page(
            page,
            "posts",
            PostOutSchema(many=True).dump,
            "api.list_community_posts",
            community_id=community_id,
        )
    )


@bp.post("/communities/<int:community_id>/posts")
@body_limit(threads.upload_limit)
@requires_scope("communities")
@login_required
def create_community_post(community_id: int) -> Any:
    """``{title, body, link?}`` starts a thread; ``{thread_id, body?, link?}`` replies in one
    (201 with the post). As multipart/form-data the same fields and a ``file``."""
    upload = None
    if request.mimetype == "multipart/form-data":
        data: dict[str, Any] = PostInSchema().load(
            {k: v for k, v in request.form.items() if k != "thread_id"}
            | (
                {"thread_id": int(request.form["thread_id"])}
                if request.form.get("thread_id", "").isdigit()
                else {}
            )
        )
        sent = request.files.get("file")
        if sent is not None and sent.filename:
            upload = threads.Upload(sent.stream, sent.filename)
    else:
        data = json_body(PostInSchema())
    if "thread_id" in data:
        post = threads.reply(current_user, community_id, data["thread_id"], data, upload)
    else:
        made = threads.start_thread(current_user, community_id, data, upload)
        post = threads.first_post(made)
    keys = [f.storage_key for f in post.files]
    try:  # committed here, so a failed commit deletes the stored file
        db.session.commit()
    except Exception:
        for key in keys:
            storage().delete(key)
        raise
    return jsonify(PostOutSchema().dump(post)), 201


@bp.post("/submissions/<int:submission_id>/peer-feedback-requests")
@requires_scope("communities")
@login_required
def create_peer_feedback_request(submission_id: int) -> Any:
    """``{community_id, note?}``: ask one of your communities for feedback on your draft
    (201). Its members read the draft and comment until you submit it."""
    body = json_body(FeedbackRequestInSchema())
    made = feedback.ask(current_user, submission_id, body)
    return jsonify(FeedbackRequestOutSchema().dump(made)), 201


@bp.post("/peer-feedback/<int:request_id>/comments")
@requires_scope("communities")
@login_required
def comment_on_peer_feedback(request_id: int) -> Any:
    """``{comments: [{criterion_id, body}], overall?}``: your comments on a colleague's
    draft, against its rubric's criteria (201 with all your comments on it). Words only:
    a score or level is 422; a submitted draft's request is closed (409)."""
    body = json_body(CommentsInSchema())
    if "comments" in body:
        body["comments"] = [dict(c) for c in body["comments"]]
    made = feedback.comment(current_user, request_id, body)
    return jsonify({"comments": PeerCommentOutSchema(many=True).dump(made)}), 201
