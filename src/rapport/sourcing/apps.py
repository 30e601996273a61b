from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


class SourcingConfig(AppConfig):
    name = "rapport.sourcing"
    label = "sourcing"
    verbose_name = "Sourcing"

    def ready(self) -> None:
        from rapport.people.documents import text_source_register
        from rapport.sourcing.resume_services import resume_texts

        # Résumés are searchable with the rest of a candidate's words.
        text_source_register("resumes", resume_texts)

        from rapport.core import schedule

        # Talent-community sign-ups never confirmed are deleted once stale.
        schedule.every(
            dt.timedelta(hours=24), "rapport.sourcing.community_tasks.community_signups_purge"
        )
