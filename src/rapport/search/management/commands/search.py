from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from rapport.accounts.models import Role, User
from rapport.people.models import Candidate
from rapport.people.selectors import attach_shown
from rapport.search.export import csv_lines, row
from rapport.search.query import QueryError
from rapport.search.selectors import SORTS, candidate_search

BATCH = 500


class Command(BaseCommand):
    help = (
        'Search the talent pool with the query language: rapport search "skill:python '
        'country:BR" [--count] [--format table|json|csv] [--as EMAIL].'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query", help="A query, e.g. 'python AND (django OR flask)'.")
        parser.add_argument("--count", action="store_true", help="Print only how many match.")
        parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
        parser.add_argument("--sort", choices=SORTS, default="relevance")
        parser.add_argument("--limit", type=int, default=0, help="At most this many (0: all).")
        parser.add_argument(
            "--as",
            dest="email",
            default="",
            help="Search as this user, with their access (default: the first admin).",
        )

    def handle(self, *args: Any, query: str, **options: Any) -> None:
        user = self._user(options["email"])
        try:
            search = candidate_search(user, query=query, sort=options["sort"])
            rows = search.rows
            if options["count"]:
                self.stdout.write(str(rows.count()))
                return
            if options["limit"] > 0:
                rows = rows[: options["limit"]]
            for warning in search.compiled.warnings:
                self.stderr.write(f"warning: {warning}")
            lines = self._rows(user, rows)
            if options["format"] == "csv":
                for line in csv_lines(lines):
                    self.stdout.write(line, ending="")
            elif options["format"] == "json":
                self.stdout.write(json.dumps(list(lines), ensure_ascii=False, indent=2))
            else:
                self._table(list(lines))
        except QueryError as exc:
            raise CommandError(f"{exc.message}\n{exc.pointer(query)}") from None

    def _user(self, email: str) -> User:
        users = User.objects.filter(is_active=True)
        user = (
            users.filter(email=email.strip().lower()).first()
            if email
            else users.filter(role=Role.ADMIN).order_by("pk").first()
        )
        if user is None:
            raise CommandError(
                f"No active user {email}." if email else "No admin yet: run `rapport setup`."
            )
        return user

    def _rows(self, user: User, rows: Any) -> Iterator[dict[str, Any]]:
        """Rows in batches, so a large result never sits in memory whole."""
        batch: list[Candidate] = []
        for candidate in rows.iterator(chunk_size=BATCH):
            batch.append(candidate)
            if len(batch) == BATCH:
                yield from self._shown(user, batch)
                batch = []
        yield from self._shown(user, batch)

    @staticmethod
    def _shown(user: User, batch: list[Candidate]) -> Iterator[dict[str, Any]]:
        attach_shown(user, batch, contacts=False, pools=False, skills_by_level=True)
        for candidate in batch:
            yield row(candidate)

    def _table(self, lines: list[dict[str, Any]]) -> None:
        table = Table(*("id", "name", "title", "company", "location", "skills"), box=None)
        for line in lines:
            place = ", ".join(p for p in (line["city"], line["country"]) if p)
            name = f"{line['first_name']} {line['last_name']}".strip()
            skills = line["skills"].split("; ")[:3]
            table.add_row(
                str(line["id"]), name, line["title"], line["company"], place, ", ".join(skills)
            )
        out = io.StringIO()
        console = Console(file=out, width=shutil.get_terminal_size((160, 40)).columns)
        console.print(table)
        console.print(f"{len(lines):,} candidates", style="dim")
        self.stdout.write(out.getvalue(), ending="")
