"""On PostgreSQL, each document's tsvector moves to a table of its own,
`search_vector` (candidate, vector), with the GIN index.

A count of a broad word reads the table of every matching document: GIN
cannot answer a count from the index alone. In the search documents the
vector shared each row with the words it was made from, so counting
`engineer` at a million candidates read 1.4 GB; the vectors alone are
0.9 GB, and a count reads about a third less (docs/decisions/0016).

The documents stay the source: triggers on people_searchdocument keep the
vectors in step with every statement that writes one, whoever makes it
(the services, an import's bulk writes, a flush between tests). A document
rewritten with the same words leaves its vector alone. SQLite keeps its
FTS5 table (search's first migration) and gets nothing here.
"""

from django.db import migrations

# The vector of a row of people_searchdocument `d`: public words weighted A,
# words of confidential notes left at D ('simple': already folded, no stems).
VECTOR = (
    "setweight(to_tsvector('simple'::regconfig, d.tokens), 'A') || "
    "to_tsvector('simple'::regconfig, d.private_tokens)"
)
UPSERT = "ON CONFLICT (candidate_id) DO UPDATE SET vector = EXCLUDED.vector"

FUNCTIONS = [
    (
        "search_vector_added",
        f"INSERT INTO search_vector (candidate_id, vector) SELECT d.candidate_id, {VECTOR} "
        f"FROM added d {UPSERT};",
    ),
    (
        "search_vector_changed",
        "DELETE FROM search_vector v USING earlier b WHERE v.candidate_id = b.candidate_id "
        "AND NOT EXISTS (SELECT 1 FROM later a WHERE a.candidate_id = b.candidate_id); "
        f"INSERT INTO search_vector (candidate_id, vector) SELECT d.candidate_id, {VECTOR} "
        "FROM later d WHERE NOT EXISTS (SELECT 1 FROM earlier b WHERE b.candidate_id = "
        "d.candidate_id AND b.tokens = d.tokens AND b.private_tokens = d.private_tokens) "
        f"{UPSERT};",
    ),
    (
        "search_vector_removed",
        "DELETE FROM search_vector v USING removed r WHERE v.candidate_id = r.candidate_id;",
    ),
    ("search_vector_emptied", "TRUNCATE search_vector;"),
]
TRIGGERS = [
    ("search_vector_added", "AFTER INSERT", "REFERENCING NEW TABLE AS added"),
    ("search_vector_changed", "AFTER UPDATE", "REFERENCING OLD TABLE AS earlier NEW TABLE AS later"),
    ("search_vector_removed", "AFTER DELETE", "REFERENCING OLD TABLE AS removed"),
    ("search_vector_emptied", "AFTER TRUNCATE", ""),
]

FORWARD = [
    "CREATE TABLE search_vector (candidate_id bigint PRIMARY KEY, vector tsvector NOT NULL)",
    *(
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {body} RETURN NULL; END $$"
        for name, body in FUNCTIONS
    ),
    *(
        f"CREATE TRIGGER {name} {when} ON people_searchdocument {how} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        for name, when, how in TRIGGERS
    ),
    # Written in the order of the candidates, like the documents.
    f"INSERT INTO search_vector (candidate_id, vector) SELECT d.candidate_id, {VECTOR} "
    "FROM people_searchdocument d ORDER BY d.candidate_id",
    "CREATE INDEX search_vector_gin ON search_vector USING gin (vector)",
    "DROP INDEX IF EXISTS search_document_tsv",
    "ALTER TABLE people_searchdocument DROP COLUMN IF EXISTS vector",
    "ANALYZE search_vector",
]
BACKWARD = [
    "ALTER TABLE people_searchdocument ADD COLUMN vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, tokens), 'A') || "
    "to_tsvector('simple'::regconfig, private_tokens)) STORED",
    "CREATE INDEX search_document_tsv ON people_searchdocument USING gin (vector)",
    *(f"DROP TRIGGER IF EXISTS {name} ON people_searchdocument" for name, _, _ in TRIGGERS),
    *(f"DROP FUNCTION IF EXISTS {name}()" for name, _ in FUNCTIONS),
    "DROP TABLE IF EXISTS search_vector",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("search", "0005_contacted_desc_index")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
