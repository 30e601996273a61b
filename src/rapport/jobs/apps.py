from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "rapport.jobs"
    label = "jobs"
    verbose_name = "Jobs"

    def ready(self) -> None:
        from rapport.core import schedule
        from rapport.engagement.task_selectors import elsewhere_register
        from rapport.jobs.automation_selectors import review_count
        from rapport.jobs.selectors import events_of_other_jobs, hiring_manager_grant
        from rapport.people.selectors import timeline_hide_register, visibility_grant_register

        # A hiring manager sees the candidates of the jobs they hire for, and
        # nothing on their timelines about the other jobs.
        visibility_grant_register("jobs", hiring_manager_grant)
        timeline_hide_register("jobs", events_of_other_jobs)
        # Stage automations: delayed emails go out when due; held ones wait
        # beside the recruiter's tasks.
        schedule.every(dt.timedelta(minutes=1), "rapport.jobs.automations.automations_due")
        # Rediscovery's log of changes for the pool in memory: kept a day.
        schedule.every(dt.timedelta(hours=1), "rapport.jobs.semantic_tasks.pool_changes_forget")
        elsewhere_register(
            "automation_review",
            label="Emails held for your review",
            url_name="automation_review",
            count=review_count,
        )

        from rapport.jobs import semantic

        # With the optional semantic extra: embed changed profiles and keep
        # the nearest-neighbour index fresh, in the background.
        if not semantic.missing():
            schedule.every(
                dt.timedelta(minutes=10), "rapport.jobs.semantic_tasks.embeddings_refresh"
            )
