from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "rapport.privacy"
    label = "privacy"
    verbose_name = "Privacy"

    def ready(self) -> None:
        from rapport.core import schedule

        # The retention rule (off until an admin turns it on): once a day.
        schedule.every(dt.timedelta(days=1), "rapport.privacy.tasks.retention_apply")
