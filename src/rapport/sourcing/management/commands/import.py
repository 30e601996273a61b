"""`rapport import FILE [--pool NAME] [--tag T] [--source S] [--map FILE]
[--replace FIELD] [--dry-run] [--as EMAIL]`: import a CSV, TSV or XLSX file.

Runs in this process (not through the worker), with a progress bar, and
ends with the report's summary; the full report is on the import's page.
Running it again on a file whose import was interrupted carries on where
it stopped."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rapport.accounts.models import Capability, Role, User
from rapport.core.errors import PermissionDenied
from rapport.core.text import fold
from rapport.sourcing.import_mapping import FIELDS, Mapping, mapping_parse
from rapport.sourcing.imports import (
    REPLACEABLE,
    Options,
    elapsed,
    import_create,
    import_run,
    import_start,
)
from rapport.sourcing.models import ImportJob, ImportStatus


class Command(BaseCommand):
    help = "Import candidates from a CSV, TSV or XLSX file, de-duplicated against the pool."
    requires_system_checks: list[str] = []  # a data command: start at once

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The CSV, TSV or XLSX file.")
        parser.add_argument("--pool", default="", help="Add everyone to this pool (made if new).")
        parser.add_argument("--tag", default="", help="Tag everyone with this tag.")
        parser.add_argument("--source", default="", help="Where these people come from.")
        parser.add_argument(
            "--map",
            dest="mapping",
            default="",
            help='A mapping file: JSON {"Column": "field"} or CSV lines column,field. '
            "Columns it does not name keep the suggested field.",
        )
        parser.add_argument(
            "--replace",
            action="append",
            default=[],
            choices=REPLACEABLE,
            metavar="FIELD",
            help="The file is newer for this field: replace it on existing candidates "
            f"(repeat; one of {', '.join(REPLACEABLE)}).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Report only; change nothing.")
        parser.add_argument(
            "--as", dest="actor", default="", help="Import as this user (default: the first admin)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        actor = _actor(options["actor"])
        try:
            job = self._job(actor, path, options)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(_message(exc)) from None
        console = Console(file=sys.stderr)
        if job.rows_done:
            console.print(f"Carrying on with import #{job.pk} from row {job.rows_done + 2:,}.")
        with Progress(
            TextColumn(f"Importing {path.name}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not console.is_terminal,
        ) as progress:
            bar = progress.add_task("import", total=job.rows_total, completed=job.rows_done)
            job = import_run(
                job_id=job.pk,
                on_progress=lambda j: progress.update(bar, completed=j.rows_done),
            )
        if job.status != ImportStatus.DONE:
            raise CommandError(f"The import stopped: {job.error}")
        self.stdout.write(summary(job))

    def _job(self, actor: User, path: Path, options: dict[str, Any]) -> ImportJob:
        unfinished = _unfinished(actor, path)
        if unfinished is not None:
            return unfinished
        with path.open("rb") as upload:
            job = import_create(actor=actor, upload=upload, name=path.name)
        run = Options(
            pool=options["pool"],
            tag=options["tag"],
            source=options["source"],
            replace=options["replace"],
            dry_run=options["dry_run"],
        )
        try:
            columns = dict(job.columns)
            if options["mapping"]:
                columns.update(_mapping(Path(options["mapping"]), job))
            import_start(
                actor=actor, job=job, mapping=Mapping.of(columns), options=run, enqueue=False
            )
        except (ValidationError, PermissionDenied, CommandError):
            job.file.delete(save=False)
            job.delete()
            raise
        return job


def _actor(email: str) -> User:
    if email:
        user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
        if user is None:
            raise CommandError(f"There is no active user {email}.")
    else:
        user = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
        if user is None:
            raise CommandError("Name who imports with --as EMAIL (there is no admin yet).")
    if not user.can(Capability.EDIT_CANDIDATES):
        raise CommandError(f"{user.email} may not add candidates ({user.get_role_display()}).")
    return user


def _unfinished(actor: User, path: Path) -> ImportJob | None:
    """An import of the same file (same name, same size) that was cut short."""
    return (
        ImportJob.objects.filter(
            created_by=actor,
            original_name=path.name,
            size=path.stat().st_size,
            status__in=(ImportStatus.QUEUED, ImportStatus.RUNNING),
        )
        .order_by("-pk")
        .first()
    )


def _mapping(path: Path, job: ImportJob) -> dict[str, str]:
    try:
        mapping = mapping_parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CommandError(f"{path}: {exc}") from None
    header = list(job.options.get("header", []))
    by_name = {fold(column): column for column in header}
    columns = {}
    for column, field in mapping.columns.items():
        found = column if column in header else by_name.get(fold(column))
        if found is None:
            raise CommandError(
                f"{path}: the file has no column “{column}” (it has {', '.join(header)})."
            )
        if field not in FIELDS:
            raise CommandError(
                f"{path}: “{field}” is not a field; use one of {', '.join(f for f in FIELDS if f)}."
            )
        columns[found] = field
    return columns


def summary(job: ImportJob) -> str:
    what = "Dry run of" if job.dry_run else "Imported"
    lines = [
        f"{what} {job.original_name}: {job.rows_done:,} rows in {elapsed(job):.1f} s",
        f"  created             {job.created:>10,}",
        f"  updated             {job.updated:>10,}",
        f"  unchanged           {job.unchanged:>10,}",
        f"  possible duplicates {job.duplicates:>10,}  (to review; nothing was merged)",
        f"  rejected            {job.rejected:>10,}",
    ]
    lines += [f"  note: {w}" for w in job.options.get("warnings", [])]
    rejected = job.rows.filter(outcome="rejected").order_by("number")[:5]
    for row in rejected:
        lines.append(f"  row {row.number}: {row.reason}")
    if job.rejected > 5:
        lines.append(f"  … and {job.rejected - 5:,} more rejected rows")
    lines.append(f"The full report: {settings.BASE_URL}{reverse('import_detail', args=[job.pk])}")
    return "\n".join(lines)


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)
