"""`rapport demo --candidates N [--seed S] [--if-empty]`: fill the instance with demo data."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rapport.people.demo import demo_load
from rapport.people.models import Candidate


class Command(BaseCommand):
    help = "Add a demo team and realistic demo candidates with two years of history."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--candidates",
            type=int,
            default=2000,
            help="How many candidates to add (default 2000).",
        )
        parser.add_argument(
            "--seed", type=int, default=None, help="Make the same people every time."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when there is already a candidate (for a second start).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count: int = options["candidates"]
        if count < 0:
            raise CommandError("--candidates must be 0 or more.")
        if options["if_empty"] and Candidate.objects.exists():
            self.stdout.write("Demo data skipped: there are candidates already.")
            return
        console = Console(file=sys.stderr)
        with Progress(
            TextColumn("Demo candidates"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not console.is_terminal,
        ) as progress:
            task = progress.add_task("demo", total=count)
            result = demo_load(
                candidates=count,
                seed=options["seed"],
                on_progress=lambda done: progress.update(task, completed=done),
            )
        self.stdout.write(
            f"Added {result.candidates:,} candidates with {result.contacts:,} contact points, "
            f"{result.skills:,} skills, {result.tags:,} tags, {result.memberships:,} pool "
            f"memberships, {result.notes:,} notes and {result.activities:,} activities "
            f"in {result.seconds:.1f} s."
        )
