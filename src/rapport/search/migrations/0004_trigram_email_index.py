"""On PostgreSQL, a trigram index on contact values (pg_trgm), so that
`email:acme.com` (every address at a domain: a LIKE '%@acme.com') reads an
index instead of every contact point. SQLite has no equivalent and needs
none at its sizes; the answers are the same on both.

pg_trgm is a trusted extension (PostgreSQL 13 and later): a database owner
may create it. Where even that is refused, the index is skipped with a
warning and the search still works, only slower for domains."""

import logging

from django.db import migrations, transaction

logger = logging.getLogger("rapport.search")

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS contact_value_trgm ON people_contactpoint "
    "USING gin (value gin_trgm_ops)",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            for sql in CREATE:
                schema_editor.execute(sql)
    except Exception as exc:  # noqa: BLE001 - any refusal leaves search working
        logger.warning("No trigram index on contact points (%s); email: by domain scans.", exc)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS contact_value_trgm")


class Migration(migrations.Migration):
    dependencies = [("search", "0003_bulk_job")]

    operations = [migrations.RunPython(create, drop)]
