"""`rapport inbound < message.eml`: hand one raw message to Rapport, for
mail servers that pipe mail to a command (a Postfix transport, procmail,
fetchmail's mda). Exit status 0 when the message was recorded (or had been
already), so the mail server does not retry it; 75 (EX_TEMPFAIL) when the
database cannot be reached, so it does."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from rapport.inbox.models import InboundSource
from rapport.inbox.services import inbound_receive

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Receive one raw email message from standard input (or from files) and process it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files", nargs="*", help="Messages to read (.eml); standard input when none is given."
        )

    def handle(self, *args: Any, files: list[str], **options: Any) -> None:
        sources = [(name, self._read(name)) for name in files] or [
            ("stdin", sys.stdin.buffer.read())
        ]
        for name, raw in sources:
            if not raw.strip():
                raise CommandError(f"{name}: the message is empty; pipe a whole message in.")
            try:
                received = inbound_receive(raw=raw, source=InboundSource.PIPE)
            except DatabaseError as exc:
                self.stderr.write(
                    f"rapport inbound: the database is not available ({exc}); try again."
                )
                raise SystemExit(EX_TEMPFAIL) from None
            message = received.message
            who = f" for candidate {message.candidate_id}" if message.candidate_id else ""
            state = "recorded" if received.created else "already recorded"
            self.stdout.write(
                f"{name}: {message.get_kind_display().lower()}{who}, {state} (#{message.pk})."
            )

    def _read(self, name: str) -> bytes:
        try:
            return Path(name).read_bytes()
        except OSError as exc:
            raise CommandError(f"{name}: {exc.strerror}.") from None
