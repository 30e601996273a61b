"""On PostgreSQL, an index of years of experience with the id, so that a
count of `years:>=10` beside full text reads the index alone instead of
every candidate's row (about 100 to 250 ms at a million candidates). SQLite
gets none: beside full text it would read this index first and probe the
full-text index for each row, which is slower than its plans now
(docs/decisions/0004)."""

from django.db import migrations

CREATE = "CREATE INDEX IF NOT EXISTS candidate_years_idx ON people_candidate (years_experience, id)"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS candidate_years_idx")


class Migration(migrations.Migration):
    dependencies = [("search", "0006_vector_table"), ("people", "0008_country_id_index")]

    operations = [migrations.RunPython(create, drop)]
