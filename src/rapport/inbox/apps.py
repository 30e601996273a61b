from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "rapport.inbox"
    label = "inbox"
    verbose_name = "Inbox"

    def ready(self) -> None:
        from rapport.core import schedule, worker
        from rapport.inbox import imap

        worker.register_loop(imap.start_reader)
        schedule.every(dt.timedelta(minutes=5), "rapport.inbox.tasks.sms_sweep")
