"""`rapport embeddings [--limit N] [--rebuild-index]`: embed the profiles that
changed (or all, the first time) and build the semantic index, now, instead
of waiting for the worker. Needs the optional extra."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.jobs import semantic


class Command(BaseCommand):
    help = "Embed changed candidate profiles and rebuild the semantic index (rapport[semantic])."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=None, help="At most this many profiles.")
        parser.add_argument(
            "--rebuild-index", action="store_true", help="Rebuild the index even if it is fresh."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        absent = semantic.missing()
        if absent:
            raise CommandError(
                f"The semantic extra is not installed ({', '.join(absent)} missing): "
                f"{semantic.INSTALL_HINT}"
            )
        limit = options["limit"]
        if limit is not None and limit < 1:
            raise CommandError("--limit must be 1 or more.")
        began = time.perf_counter()
        embedded = semantic.embeddings_refresh(limit=limit)
        seconds = time.perf_counter() - began
        rate = f" ({embedded / seconds:,.0f} profiles/s)" if embedded and seconds else ""
        self.stdout.write(f"Embedded {embedded:,} profiles in {seconds:.1f} s{rate}.")
        indexed = semantic.index_rebuild(force=options["rebuild_index"])
        if indexed is None:
            self.stdout.write("The index is fresh enough; not rebuilt.")
        else:
            self.stdout.write(f"Indexed {indexed:,} profiles in {semantic.index_folder()}.")
