"""Search's tasks (idempotent: a bulk job resumes after its last batch)."""

from __future__ import annotations

from django_tasks import task


@task()
def bulk_task(*, job_id: int) -> str:
    from rapport.search.bulk import bulk_run

    job = bulk_run(job_id=job_id)
    return f"{job.get_action_display()}: {job.changed} of {job.total}"
