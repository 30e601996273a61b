from __future__ import annotations

from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "rapport.engagement"
    label = "engagement"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import datetime as dt

        from rapport.core import schedule

        # Scores decay with time even when nothing happens: recompute daily.
        # Never run yet (a new installation, the demo data) counts as due.
        schedule.every(dt.timedelta(hours=24), "rapport.engagement.tasks.engagement_refresh_all")
