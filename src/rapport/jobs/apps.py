from __future__ import annotations

from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "rapport.jobs"
    label = "jobs"
    verbose_name = "Jobs"

    def ready(self) -> None:
        from rapport.jobs.selectors import hiring_manager_grant
        from rapport.people.selectors import visibility_grant_register

        # A hiring manager sees the candidates of the jobs they hire for.
        visibility_grant_register("jobs", hiring_manager_grant)
