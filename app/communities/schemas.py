"""Marshmallow schemas for the communities API. Bodies are checked for shape here (422 with
field messages; an unknown field, such as a score on peer feedback, is refused); the rules
(scope, membership, open requests) live in ``app.communities``, which answers 404, 409 or 422
the same way to the pages."""

from __future__ import annotations

from typing import Any

from flask import url_for
from marshmallow import Schema, fields, validate

DB_INT_MAX = 2**31 - 1
_id = validate.Range(min=1, max=DB_INT_MAX)


class CommunityInSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    purpose = fields.String(load_default="", validate=validate.Length(max=5000))
    credential_id = fields.Integer(strict=True, load_default=None, allow_none=True, validate=_id)
    scope = fields.String(
        load_default="open", validate=validate.OneOf(["school", "district", "open"])
    )
    district_id = fields.Integer(strict=True, load_default=None, allow_none=True, validate=_id)
    visibility = fields.String(
        load_default="private", validate=validate.OneOf(["listed", "private"])
    )


class MemberInSchema(Schema):
    """``{"email"}``: a facilitator invites; ``{}``: join (accept an invitation) or ask to."""

    email = fields.String(validate=validate.Length(min=3, max=254))


class PostInSchema(Schema):
    """``{"title", "body", "link"?}`` starts a thread; ``{"thread_id", "body"?, "link"?}``
    replies in one."""

    thread_id = fields.Integer(strict=True, validate=_id)
    title = fields.String(validate=validate.Length(max=200))
    body = fields.String(load_default="", validate=validate.Length(max=5000))
    link = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class FeedbackRequestInSchema(Schema):
    community_id = fields.Integer(strict=True, required=True, validate=_id)
    note = fields.String(load_default="", validate=validate.Length(max=1000))


class CriterionCommentInSchema(Schema):
    criterion_id = fields.Integer(strict=True, required=True, validate=_id)
    body = fields.String(required=True, validate=validate.Length(max=3000))


class CommentsInSchema(Schema):
    """Words only: there is no score, level or points field, and an unknown one is 422."""

    comments = fields.List(
        fields.Nested(CriterionCommentInSchema), load_default=list, validate=validate.Length(max=50)
    )
    overall = fields.String(validate=validate.Length(max=3000))


def _person(user: Any) -> dict[str, Any] | None:
    return {"id": user.id, "name": user.name} if user is not None else None


class CommunitySummarySchema(Schema):
    id = fields.Integer()
    title = fields.String()
    purpose = fields.String()
    credential_id = fields.Integer(allow_none=True)
    scope = fields.String()
    school_id = fields.Integer(allow_none=True)
    district_id = fields.Integer(allow_none=True)
    visibility = fields.String()
    created_at = fields.DateTime()
    url = fields.Function(lambda c: url_for("api.get_community", community_id=c.id, _external=True))


class MemberOutSchema(Schema):
    id = fields.Function(lambda card: card.member.id)
    person = fields.Function(lambda card: _person(card.member.user))
    role = fields.Function(lambda card: card.member.role)
    shows = fields.Function(
        lambda card: {
            k: v
            for k, v in (("drafts", card.drafts), ("badges", card.badges), ("goals", card.goals))
            if getattr(card.member, f"share_{k}")
        }
    )


class MembershipOutSchema(Schema):
    id = fields.Integer()
    community_id = fields.Integer()
    role = fields.String()
    status = fields.String()
    share_drafts = fields.Boolean()
    share_badges = fields.Boolean()
    share_goals = fields.Boolean()
    share_progress = fields.Boolean()


class InvitationOutSchema(Schema):
    id = fields.Integer()
    community_id = fields.Integer()
    email = fields.String()
    created_at = fields.DateTime()


class FileOutSchema(Schema):
    id = fields.Integer()
    filename = fields.String()
    kind = fields.String()
    size = fields.Integer()


class PostOutSchema(Schema):
    id = fields.Integer()
    thread = fields.Function(lambda p: {"id": p.thread.id, "title": p.thread.title})
    author = fields.Function(lambda p: _person(p.author))
    body = fields.String()
    link = fields.String(attribute="link_url", allow_none=True)
    files = fields.List(fields.Nested(FileOutSchema))
    created_at = fields.DateTime()


class FeedbackRequestOutSchema(Schema):
    id = fields.Integer()
    submission_id = fields.Integer()
    community_id = fields.Integer()
    note = fields.String()
    created_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)


class PeerCommentOutSchema(Schema):
    id = fields.Integer()
    request_id = fields.Integer()
    criterion_id = fields.Integer(allow_none=True)
    body = fields.String()
    updated_at = fields.DateTime()
