"""The import's task (idempotent: a run resumes after the last batch written)."""

from __future__ import annotations

from django_tasks import task


@task()
def import_task(*, job_id: int) -> str:
    from rapport.sourcing.imports import import_run

    job = import_run(job_id=job_id)
    return f"{job.original_name}: {job.status}, {job.rows_done} rows"
