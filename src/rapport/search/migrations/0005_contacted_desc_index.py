"""On PostgreSQL, an index in the order of "last contacted, most recent
first": `last_contacted_at DESC NULLS LAST, id DESC`. The index of people
(last_contacted_at, id) read backwards puts the never-contacted first, so
a search sorted by last contact sorted every match instead of walking an
index (770 ms for `engineer` at a million candidates). SQLite reads the
existing index in this order already: its NULLs sort first going up and
last going down."""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS candidate_contacted_desc_idx ON people_candidate "
    "(last_contacted_at DESC NULLS LAST, id DESC)"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS candidate_contacted_desc_idx")


class Migration(migrations.Migration):
    dependencies = [("search", "0004_trigram_email_index"), ("people", "0005_contact_kind_index")]

    operations = [migrations.RunPython(create, drop)]
