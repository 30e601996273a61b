from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rapport.jobs.demo import demo_jobs
from rapport.jobs.demo_automations import demo_automations


class Command(BaseCommand):
    help = (
        "Add demo jobs with lived-in pipelines, made from the demo team and demo candidates "
        "(each job once: running it again changes nothing)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=11, help="Which candidates are picked.")

    def handle(self, *args: Any, seed: int, **options: Any) -> None:
        result = demo_jobs(seed=seed)
        if result.jobs:
            self.stdout.write(
                f"Added {result.jobs} demo jobs with {result.applications} applications; "
                f"{result.silver} silver medallists from the filled one."
            )
        else:
            self.stdout.write(f"Demo jobs skipped: {', '.join(result.skipped)}.")
        if automations := demo_automations():
            self.stdout.write(f"Added {automations} stage automations with starter templates.")
