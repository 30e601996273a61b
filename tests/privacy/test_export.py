"""A person who asks for their data gets everything Rapport keeps about
them, and nothing about anyone else."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client

from rapport.accounts.models import User
from rapport.core.errors import PermissionDenied
from rapport.core.models import Activity, ActivityKind
from rapport.inbox.services import inbound_receive
from rapport.people.models import Candidate
from rapport.privacy.exports import candidate_export
from rapport.sourcing.models import DuplicateReview, Resume
from tests.sourcing.test_merge import pair  # noqa: F401 - the rich two-record fixture

pytestmark = pytest.mark.django_db


def _opened(archive: io.BufferedIOBase | Any) -> tuple[dict[str, Any], str, dict[str, bytes]]:
    """The JSON files by name, the note, and the other files."""
    with zipfile.ZipFile(archive) as zipped:
        names = zipped.namelist()
        records = {n: json.loads(zipped.read(n)) for n in names if n.endswith(".json")}
        files = {n: zipped.read(n) for n in names if n.startswith("files/")}
        return records, zipped.read("README.txt").decode(), files


def test_the_export_holds_everything_about_them_and_nothing_about_others(
    pair: tuple[Candidate, Candidate],  # noqa: F811
    owner: User,
    make_candidate: Callable[..., Candidate],
) -> None:
    _maria, mary = pair
    make_candidate(first_name="Zoe", last_name="Quist", emails=["zoe@example.com"])
    resume = Resume.objects.create(candidate=mary, original_name="cv.pdf", uploaded_by=owner)
    resume.file.save("cv.pdf", ContentFile(b"%PDF-1.4 Mary's CV"), save=True)
    inbound_receive(  # from her address, answering nothing
        raw=b"From: Mary <MARY.S@example.net>\r\nTo: jobs@example.com\r\nSubject: Hi again\r\n"
        b"Message-ID: <again@example.net>\r\n\r\nAny news?\r\n",
        source="pipe",
    )

    DuplicateReview.objects.create(
        candidate=mary, other=_maria, score=90, reasons=["names alike: Maria Souza / Mary Souza"]
    )

    records, note, files = _opened(candidate_export(actor=owner, candidate=mary))

    text = json.dumps(records).lower()
    profile = records["people-candidate.json"]
    assert [row["id"] for row in profile] == [mary.pk]
    for expected in (
        "mary.s@example.net",  # contact points
        "mary.second@example.net",
        "+5521998765432",
        "wants **remote** work.",  # notes, the confidential one too
        "asked for 20% more.",
        "coffee?",  # mail sent to her
        "is the role still open?",  # her reply
        "any news?",
        "same person?",  # a referral's note
        "quarterly",  # her contact preferences
    ):
        assert expected in text, expected
    for other in ("maria.souza@example.org", "met at pycon", "zoe@example.com", "maria souza"):
        assert other not in text, f"{other} belongs to someone else"
    assert "people-searchdocument.json" not in records  # a copy of the profile, said in the note
    assert "sourcing-duplicatereview.json" not in records  # it names the other record
    assert {row["name"] for row in records["team.json"]} >= {owner.display_name}
    assert "Everything this team keeps about Mary Souza" in note
    assert files == {f"files/resume-{resume.pk}-cv.pdf": b"%PDF-1.4 Mary's CV"}
    event = Activity.objects.get(kind=ActivityKind.CANDIDATE_EXPORTED)
    assert event.candidate == mary and event.actor == owner


@pytest.mark.parametrize("role", ["admin", "owner", "sourcer", "manager"])
def test_who_may_export(
    role: str, cast: dict[str, User], make_candidate: Callable[..., Candidate]
) -> None:
    made = make_candidate(first_name="Bea")
    if role in {"admin", "owner"}:
        assert _opened(candidate_export(actor=cast[role], candidate=made))[0]
    else:
        with pytest.raises(PermissionDenied):
            candidate_export(actor=cast[role], candidate=made)


def test_the_profile_button_downloads_the_zip(
    client: Client, cast: dict[str, User], make_candidate: Callable[..., Candidate]
) -> None:
    made = make_candidate(first_name="Cleo", last_name="Park", emails=["cleo@example.com"])
    client.force_login(cast["owner"])
    assert "Export their data" in client.get(f"/candidates/{made.pk}/").content.decode()
    response = client.post(f"/candidates/{made.pk}/export/")
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="rapport-candidate-{made.pk}-'
    )
    records, _, _ = _opened(io.BytesIO(b"".join(response.streaming_content)))
    assert records["people-contactpoint.json"][0]["value"] == "cleo@example.com"
    client.force_login(cast["sourcer"])
    assert "Export their data" not in client.get(f"/candidates/{made.pk}/").content.decode()
    assert client.post(f"/candidates/{made.pk}/export/").status_code == 404


def test_the_command_writes_the_zip(
    owner: User, make_candidate: Callable[..., Candidate], tmp_path: Path
) -> None:
    made = make_candidate(first_name="Eli", emails=["eli@example.com"])
    out = StringIO()
    target = tmp_path / "eli.zip"
    call_command(
        "export_candidate", str(made.pk), "--as", owner.email, "-o", str(target), stdout=out
    )
    assert f"Wrote {target}" in out.getvalue()
    records, _, _ = _opened(target.open("rb"))
    assert records["people-contactpoint.json"][0]["value"] == "eli@example.com"
