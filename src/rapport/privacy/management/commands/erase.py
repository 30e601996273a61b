"""`rapport erase ID [ID …] --as EMAIL --reason request|retention|mistake
[--note TEXT]`: erase candidates and every trace of them (privacy.erasure),
as the page does, and print what went."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.accounts.models import User
from rapport.core.errors import PermissionDenied
from rapport.people.models import Candidate
from rapport.privacy.erasure import candidate_erase
from rapport.privacy.models import ErasureReason


class Command(BaseCommand):
    help = "Erase candidates and every trace of them. This cannot be undone."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ids", nargs="+", type=int, help="The candidates' numbers.")
        parser.add_argument("--as", dest="actor", required=True, help="The recruiter or admin.")
        parser.add_argument("--reason", required=True, choices=ErasureReason.values)
        parser.add_argument("--note", default="", help="Where the request came from.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(email__iexact=options["actor"].strip(), is_active=True).first()
        if actor is None:
            raise CommandError(f"There is no active user {options['actor']}.")
        for pk in options["ids"]:
            candidate = Candidate.objects.filter(pk=pk).first()
            if candidate is None:
                raise CommandError(f"There is no candidate {pk}.")
            try:
                erasure = candidate_erase(
                    actor=actor, candidate=candidate, reason=options["reason"], note=options["note"]
                )
            except (PermissionDenied, ValidationError) as exc:
                raise CommandError(f"Candidate {pk}: {exc}") from None
            self.stdout.write(
                f"Erased candidate {pk}: {erasure.rows:,} rows and "
                f"{erasure.removed.get('files', 0)} files (erasure {erasure.pk})."
            )
