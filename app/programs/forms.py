"""The officer's form for an outside program. Numbers and links are read as text and checked by
``app.programs.service``, so the page and the API give the same messages; badge class URLs
are typed one per line."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # (stubs lag)
from wtforms.validators import Length

from app.forms import CheckboxesField

NO_POLICY = ""
NEW_POLICY = "new"


class ProgramForm(FlaskForm):
    title = StringField(_l("Title"), validators=[Length(max=200)])
    provider = StringField(_l("Provider"), validators=[Length(max=200)])
    url = StringField(_l("Link to the provider's page"), validators=[Length(max=2000)])
    description = TextAreaField(_l("What a teacher does and learns"), validators=[Length(max=5000)])
    estimated_hours = StringField(_l("Estimated hours"), validators=[Length(max=20)])
    competencies = CheckboxesField(_l("Competencies it builds"), coerce=int)
    badge_class_urls = TextAreaField(_l("Badge class URLs"), validators=[Length(max=20_000)])
    # Choices come from the district; the service checks the value (the same message as the
    # API's), so the field does not refuse an unknown one itself.
    policy = SelectField(_l("Credit policy"), validators=[Length(max=20)], validate_choice=False)
    policy_hours = StringField(_l("Amount"), validators=[Length(max=20)])
    policy_unit = SelectField(
        _l("Unit"),
        # SelectChoice: wtforms takes a dict's values for plain strings only, not lazy ones.
        choices=[
            SelectChoice("hours", _l("clock hours")),
            SelectChoice("ceu", _l("CEUs (10 hours each)")),
        ],
        validate_choice=False,
    )
    policy_category = SelectField(_l("Category"), validate_choice=False)
    policy_auto_approve = BooleanField(_l("Approve automatically once the badge verifies"))

    def data_for_service(self) -> dict[str, Any]:
        """The service's ``data`` from what was posted."""
        data: dict[str, Any] = {
            "title": self.title.data or "",
            "provider": self.provider.data or "",
            "url": self.url.data or "",
            "description": self.description.data or "",
            "estimated_hours": self.estimated_hours.data or None,
            "competency_ids": list(self.competencies.data or []),
            "badge_class_urls": (self.badge_class_urls.data or "").splitlines(),
        }
        choice = self.policy.data or NO_POLICY
        if choice == NEW_POLICY:
            category = self.policy_category.data or ""
            data["new_policy"] = {
                "hours": (self.policy_hours.data or "").strip(),
                "unit": self.policy_unit.data or "hours",
                "category_id": int(category) if category.isdigit() else None,
                "auto_approve": bool(self.policy_auto_approve.data),
            }
        else:
            data["policy_id"] = int(choice) if choice.isdigit() else None
        return data
