"""The full-text index over people.SearchDocument, one per database:

- SQLite: an FTS5 table with two columns (tokens, private_tokens) that reads
  its text from people_searchdocument (external content), and three
  triggers that keep it in step with every insert, update and delete of
  that table, whoever makes them.
- PostgreSQL: one tsvector per document, stored in a generated column
  (`vector`) and indexed with GIN: the public words weighted A, the
  confidential-note words left at D, so a search can be limited to the
  public words ('simple' configuration: the words are already folded, and no
  stemming, so both databases match the same words). Stored, not computed in
  the index expression: a broad search rechecks rows, and recomputing a
  million tsvectors for that took seconds.
"""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(tokens, private_tokens, "
    "content='people_searchdocument', content_rowid='candidate_id', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER search_fts_insert AFTER INSERT ON people_searchdocument BEGIN "
    "INSERT INTO search_fts(rowid, tokens, private_tokens) "
    "VALUES (new.candidate_id, new.tokens, new.private_tokens); END",
    "CREATE TRIGGER search_fts_delete AFTER DELETE ON people_searchdocument BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, tokens, private_tokens) "
    "VALUES ('delete', old.candidate_id, old.tokens, old.private_tokens); END",
    "CREATE TRIGGER search_fts_update AFTER UPDATE ON people_searchdocument BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, tokens, private_tokens) "
    "VALUES ('delete', old.candidate_id, old.tokens, old.private_tokens); "
    "INSERT INTO search_fts(rowid, tokens, private_tokens) "
    "VALUES (new.candidate_id, new.tokens, new.private_tokens); END",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]
SQLITE_UNDO = [
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TABLE IF EXISTS search_fts",
]
POSTGRES = [
    "ALTER TABLE people_searchdocument ADD COLUMN vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, tokens), 'A') || "
    "to_tsvector('simple'::regconfig, private_tokens)) STORED",
    "CREATE INDEX search_document_tsv ON people_searchdocument USING gin (vector)",
]
POSTGRES_UNDO = [
    "DROP INDEX IF EXISTS search_document_tsv",
    "ALTER TABLE people_searchdocument DROP COLUMN IF EXISTS vector",
]


def run(statements):
    def apply(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, []):
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("people", "0003_search_document")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            run({"sqlite": SQLITE_UNDO, "postgresql": POSTGRES_UNDO}),
        )
    ]
