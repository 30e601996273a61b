"""PostgreSQL keeps each search document's tsvector in a table of its own
(search migration 0006), written by triggers on the documents: every kind of
write to a document reaches its vector, and only a change of words rewrites
it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection

from rapport.accounts.models import User
from rapport.people.models import Candidate, SearchDocument
from rapport.search.selectors import candidate_search

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite keeps its FTS5 table instead."
)

EXPECTED = (
    "setweight(to_tsvector('simple'::regconfig, d.tokens), 'A') || "
    "to_tsvector('simple'::regconfig, d.private_tokens)"
)


def _out_of_step() -> list[tuple[int | None, int | None]]:
    """Documents without their vector, vectors without their document, and
    vectors that are not their document's words."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.candidate_id, v.candidate_id FROM people_searchdocument d "  # noqa: S608
            f"FULL JOIN search_vector v ON v.candidate_id = d.candidate_id "
            f"WHERE d.candidate_id IS NULL OR v.candidate_id IS NULL OR v.vector <> {EXPECTED}"
        )
        return list(cursor.fetchall())


def _version(candidate_id: int) -> str:
    """The row version of a candidate's vector: it changes when the row is rewritten."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT xmin::text FROM search_vector WHERE candidate_id = %s", [candidate_id]
        )
        return str(cursor.fetchone()[0])


def _found(user: User, query: str) -> set[int]:
    return {c.pk for c in candidate_search(user, query=query).rows}


@pytest.mark.django_db
def test_every_write_to_a_document_reaches_its_vector(
    make_candidate: Callable[..., Candidate], owner: User
) -> None:
    ada = make_candidate(first_name="Ada", current_title="Astronomer")
    bo = make_candidate(first_name="Bo", current_title="Botanist")
    assert _out_of_step() == []
    assert _found(owner, "astronomer") == {ada.pk}

    # An update that changes the words rewrites the vector...
    SearchDocument.objects.filter(candidate=ada).update(tokens="ada cartographer")
    assert _found(owner, "cartographer") == {ada.pk}
    assert _found(owner, "astronomer") == set()
    # ...one that writes the same words leaves it alone.
    before = _version(bo.pk)
    SearchDocument.objects.filter(candidate=bo).update(
        tokens=SearchDocument.objects.get(candidate=bo).tokens
    )
    assert _version(bo.pk) == before
    # Words of confidential notes land weighted D: only users who may read
    # them find them.
    SearchDocument.objects.filter(candidate=bo).update(private_tokens="secretword")
    assert _out_of_step() == []

    # Many documents in one statement, and a document moved to another id.
    made = [Candidate.objects.create(first_name=f"Bulk{i}", last_name="Row") for i in range(5)]
    SearchDocument.objects.bulk_create(
        [SearchDocument(candidate=c, tokens=f"bulkword{i} shared") for i, c in enumerate(made)]
    )
    assert _found(owner, "shared") == {c.pk for c in made}
    SearchDocument.objects.filter(candidate=made[0]).delete()
    SearchDocument.objects.filter(candidate=made[1]).update(candidate=made[0])
    assert _found(owner, "bulkword1") == {made[0].pk}
    assert _out_of_step() == []

    # Deleting a candidate deletes the document, and with it the vector.
    Candidate.objects.filter(pk=ada.pk).delete()
    assert _found(owner, "cartographer") == set()
    assert _out_of_step() == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_emptying_the_documents_empties_the_vectors(
    make_candidate: Callable[..., Candidate],
) -> None:
    make_candidate(first_name="Cy")
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE people_searchdocument")
        cursor.execute("SELECT count(*) FROM search_vector")
        assert cursor.fetchone()[0] == 0
    assert _out_of_step() == []


def _all_visible_pages(table: str) -> int:
    """Pages the visibility map holds as all-visible, as the last VACUUM
    counted them (0 until one runs)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relallvisible FROM pg_class WHERE relname = %s", [table])
        return int(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_demo_load_leaves_the_vectors_vacuumed_like_the_documents() -> None:
    """Outside a transaction, `rapport demo` vacuums what search reads: the
    vectors as well as their documents, or every full-text search reads the
    index's pending list whole until autovacuum comes by."""
    from rapport.people.demo import demo_load

    demo_load(candidates=300, seed=3)
    assert _all_visible_pages("people_searchdocument") > 0
    assert _all_visible_pages("search_vector") > 0
