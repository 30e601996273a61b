from __future__ import annotations

from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "rapport.inbox"
    label = "inbox"
    verbose_name = "Inbox"

    def ready(self) -> None:
        from rapport.core import worker
        from rapport.inbox import imap

        worker.register_loop(imap.start_reader)
