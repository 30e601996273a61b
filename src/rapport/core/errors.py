"""The errors services raise. Views turn them into field errors, the API into
JSON that names the field; neither ever shows a traceback."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class PermissionDenied(Exception):
    """The user may see the object but not do this to it."""


class DuplicateContact(ValidationError):
    """An email address that already belongs to another candidate."""

    def __init__(self, *, field: str, value: str, candidate_id: int, candidate_name: str) -> None:
        self.field = field
        self.value = value
        self.candidate_id = candidate_id
        self.candidate_name = candidate_name
        super().__init__(
            {field: [f"{value} already belongs to {candidate_name} (candidate #{candidate_id})."]}
        )
