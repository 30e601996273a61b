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

        from django.db.models.signals import post_delete

        from rapport.sourcing.models import Resume
        from rapport.sourcing.resume_services import resume_file_forget

        # A résumé's file goes with its row, however the row goes (a candidate
        # deleted or erased takes their résumés with them).
        post_delete.connect(resume_file_forget, sender=Resume, dispatch_uid="resume_file_forget")

        from rapport.people.selectors import candidate_forward_register
        from rapport.sourcing.merge import merged_into

        # An old link to a merged candidate leads to the record that kept them.
        candidate_forward_register("merges", merged_into)

        from rapport.core import schedule

        # Talent-community sign-ups never confirmed are deleted once stale.
        schedule.every(
            dt.timedelta(hours=24), "rapport.sourcing.community_tasks.community_signups_purge"
        )
