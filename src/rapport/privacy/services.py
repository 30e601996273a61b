"""Every write of the privacy app: versions of the privacy notice, and the
consents candidates give to them.

A notice is written as a draft, may be edited and previewed while it is
one, and is then published. A published version is never edited again: a
consent points at the words the person saw, so changing the text means
writing a new version. The current notice is the newest published one.
Only admins (MANAGE_SETTINGS) write notices."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rapport.accounts.models import Capability
from rapport.core.activity import activity_record
from rapport.core.models import ActivityKind
from rapport.people.models import Candidate, ConsentState
from rapport.people.services import candidate_consent_set, require
from rapport.privacy.models import Consent, PrivacyNotice

if TYPE_CHECKING:
    from rapport.accounts.models import User

VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-_]{0,39}$")
MAX_TEXT = 100_000


def _clean(version: str, text: str, *, exclude: int | None = None) -> tuple[str, str]:
    version, text = version.strip(), text.strip().replace("\x00", "")
    errors: dict[str, list[str]] = {}
    if not VERSION.match(version):
        errors["version"] = [
            "A version is 1 to 40 letters, digits, dots or dashes, such as 2 or 2027-01."
        ]
    elif PrivacyNotice.objects.filter(version__iexact=version).exclude(pk=exclude or 0).exists():
        errors["version"] = [f"There is already a version {version}; choose another name."]
    if not text:
        errors["text"] = ["Write the notice first: it is empty."]
    elif len(text) > MAX_TEXT:
        errors["text"] = [f"A notice holds at most {MAX_TEXT:,} characters."]
    if errors:
        raise ValidationError(errors)
    return version, text


@transaction.atomic
def notice_create(*, actor: User, version: str, text: str) -> PrivacyNotice:
    """A new draft version."""
    require(actor, Capability.MANAGE_SETTINGS)
    version, text = _clean(version, text)
    return PrivacyNotice.objects.create(version=version, text=text, created_by=actor)


def _draft(notice: PrivacyNotice) -> PrivacyNotice:
    """The notice, locked, refused when it has been published meanwhile."""
    locked = PrivacyNotice.objects.select_for_update().get(pk=notice.pk)
    if locked.published_at is not None:
        raise ValidationError(
            f"Version {locked.version} is published and can no longer change: "
            "write a new version instead."
        )
    return locked


@transaction.atomic
def notice_update(*, actor: User, notice: PrivacyNotice, version: str, text: str) -> PrivacyNotice:
    require(actor, Capability.MANAGE_SETTINGS)
    locked = _draft(notice)
    locked.version, locked.text = _clean(version, text, exclude=locked.pk)
    locked.save(update_fields=["version", "text"])
    return locked


@transaction.atomic
def notice_publish(*, actor: User, notice: PrivacyNotice) -> PrivacyNotice:
    """Make the draft the current notice, from now on and for good."""
    require(actor, Capability.MANAGE_SETTINGS)
    locked = _draft(notice)
    locked.published_at = timezone.now()
    locked.save(update_fields=["published_at"])
    return locked


@transaction.atomic
def notice_delete(*, actor: User, notice: PrivacyNotice) -> None:
    require(actor, Capability.MANAGE_SETTINGS)
    _draft(notice).delete()


@transaction.atomic
def notice_copy(*, actor: User, notice: PrivacyNotice) -> PrivacyNotice:
    """A new draft that starts from this version's text."""
    require(actor, Capability.MANAGE_SETTINGS)
    return PrivacyNotice.objects.create(version=next_version(), text=notice.text, created_by=actor)


def next_version() -> str:
    """A free version name: one more than the highest number used so far."""
    used = set(PrivacyNotice.objects.values_list("version", flat=True))
    number = max((int(v) for v in used if v.isdigit()), default=0) + 1
    while str(number) in used:
        number += 1
    return str(number)


@transaction.atomic
def consent_record(
    *, candidate: Candidate, notice: PrivacyNotice, source: str, purpose: str = "talent_pool"
) -> Consent:
    """The candidate agreed to this version of the notice (they did it
    themselves, so no actor): the Consent, their consent state, and
    `consent.given` on their timeline."""
    if notice.published_at is None:
        raise ValidationError(f"Version {notice.version} of the notice is not published.")
    consent = Consent.objects.create(
        candidate=candidate, notice=notice, purpose=purpose[:40], source=source[:40]
    )
    candidate_consent_set(candidate=candidate, state=ConsentState.GIVEN)
    activity_record(
        kind=ActivityKind.CONSENT_GIVEN,
        candidate=candidate,
        actor=None,
        summary=f"Agreed to the privacy notice, version {notice.version} ({source})",
        target=consent,
        data={"notice": notice.version, "source": source, "purpose": purpose},
    )
    return consent
