"""Rediscovery's background work: the semantic signal's embeddings and
index, and the log of changes of the pool in memory (idempotent, like every
task)."""

from __future__ import annotations

from django_tasks import task

from rapport.jobs import pool_memory, semantic

# At most this many profiles per run: a first run on a big pool spreads
# over several, and never holds a worker for long.
PER_RUN = 5_000


@task()
def embeddings_refresh() -> int:
    """Embed the profiles changed since their embedding, then rebuild the
    index when enough changed. Does nothing without the optional extra."""
    if semantic.missing():
        return 0
    embedded = semantic.embeddings_refresh(limit=PER_RUN)
    semantic.index_rebuild()
    return embedded


@task()
def pool_changes_forget() -> int:
    """Forget the log of changes to the pool older than a day: a pool in
    memory older than that is read again whole (`pool_memory`)."""
    return pool_memory.pool_changes_prune()
