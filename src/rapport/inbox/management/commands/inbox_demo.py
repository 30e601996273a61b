from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from rapport.inbox.demo import demo_inbox


class Command(BaseCommand):
    help = "Add demo replies to the team inbox (only when it is empty)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = demo_inbox()
        self.stdout.write(
            f"Added {count} demo messages to the inbox." if count else "Demo inbox skipped."
        )
