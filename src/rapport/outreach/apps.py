from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "rapport.outreach"
    label = "outreach"
    verbose_name = "Outreach"

    def ready(self) -> None:
        from rapport.core import schedule, worker
        from rapport.outreach import delivery

        worker.register_loop(delivery.start_deliverers)
        schedule.every(dt.timedelta(minutes=1), "rapport.outreach.tasks.outreach_tick")
