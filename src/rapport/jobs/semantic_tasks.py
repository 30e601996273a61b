"""The semantic signal's background work (idempotent, like every task)."""

from __future__ import annotations

from django_tasks import task

from rapport.jobs import semantic

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
