"""`rapport export_candidate ID --as EMAIL [-o FILE]`: everything Rapport
keeps about a candidate, as the zip file the profile's "Export their data"
gives (privacy.exports), for a person who asks for their data."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.accounts.models import User
from rapport.core.errors import PermissionDenied
from rapport.people.models import Candidate
from rapport.privacy.exports import candidate_export, export_filename


class Command(BaseCommand):
    help = "Write everything Rapport keeps about a candidate to a zip file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("id", type=int, help="The candidate's number.")
        parser.add_argument("--as", dest="actor", required=True, help="The recruiter or admin.")
        parser.add_argument("-o", "--output", help="The zip file (default: a name with the date).")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(email__iexact=options["actor"].strip(), is_active=True).first()
        if actor is None:
            raise CommandError(f"There is no active user {options['actor']}.")
        candidate = Candidate.objects.filter(pk=options["id"]).first()
        if candidate is None:
            raise CommandError(f"There is no candidate {options['id']}.")
        path = Path(options["output"] or export_filename(candidate))
        try:
            archive = candidate_export(actor=actor, candidate=candidate)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        with archive, path.open("wb") as out:
            shutil.copyfileobj(archive, out)
        self.stdout.write(f"Wrote {path} ({path.stat().st_size:,} bytes).")
