"""The privacy app's background work (idempotent, like every task)."""

from __future__ import annotations

from django_tasks import task

from rapport.privacy import erasure, retention


@task()
def retention_apply() -> int:
    """Erase the candidates the retention rule says are due, when it is on."""
    return retention.retention_apply()


@task()
def search_index_compact() -> None:
    """After an erasure: rewrite SQLite's full-text index so that the
    person's words leave its pages (a few seconds at a million candidates,
    in the worker rather than in the recruiter's request)."""
    erasure.search_words_forget()
