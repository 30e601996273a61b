# Rediscovery's pool in memory (jobs/pool_memory.py) learns what changed from
# a log the database writes itself, on PostgreSQL: every statement that adds
# or removes candidates or their skills logs the range of candidates it
# touched, and every update of a column the ranking reads logs that
# candidate, each with the writing transaction's id. SQLite ranks from its
# tables directly and gets no triggers.

import django.utils.timezone
from django.db import migrations, models

XID = "pg_current_xact_id()::text::bigint"

# (function, body)
FUNCTIONS = [
    ("jobs_pool_candidates_added", f"INSERT INTO jobs_poolchange (low, high, xid, at) SELECT min(id), max(id), {XID}, now() FROM pool_new HAVING count(*) > 0;"),
    ("jobs_pool_candidates_removed", f"INSERT INTO jobs_poolchange (low, high, xid, at) SELECT min(id), max(id), {XID}, now() FROM pool_old HAVING count(*) > 0;"),
    ("jobs_pool_skills_added", f"INSERT INTO jobs_poolchange (low, high, xid, at) SELECT min(candidate_id), max(candidate_id), {XID}, now() FROM pool_new HAVING count(*) > 0;"),
    ("jobs_pool_skills_removed", f"INSERT INTO jobs_poolchange (low, high, xid, at) SELECT min(candidate_id), max(candidate_id), {XID}, now() FROM pool_old HAVING count(*) > 0;"),
    ("jobs_pool_candidate_changed", f"INSERT INTO jobs_poolchange (low, high, xid, at) VALUES (NEW.id, NEW.id, {XID}, now());"),
    ("jobs_pool_skill_changed", f"INSERT INTO jobs_poolchange (low, high, xid, at) VALUES (OLD.candidate_id, OLD.candidate_id, {XID}, now()), (NEW.candidate_id, NEW.candidate_id, {XID}, now());"),
    ("jobs_pool_emptied", f"INSERT INTO jobs_poolchange (low, high, xid, at) VALUES (NULL, NULL, {XID}, now());"),
]

# The columns of a candidate the ranking reads (jobs/rediscovery.py).
READ = ("current_title", "city", "country", "timezone", "seniority", "engagement_score")
CHANGED = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in READ)

TRIGGERS = [
    ("jobs_pool_candidates_added", "people_candidate", "AFTER INSERT", "REFERENCING NEW TABLE AS pool_new FOR EACH STATEMENT"),
    ("jobs_pool_candidates_removed", "people_candidate", "AFTER DELETE", "REFERENCING OLD TABLE AS pool_old FOR EACH STATEMENT"),
    ("jobs_pool_candidate_changed", "people_candidate", "AFTER UPDATE", f"FOR EACH ROW WHEN ({CHANGED})"),
    ("jobs_pool_emptied", "people_candidate", "AFTER TRUNCATE", "FOR EACH STATEMENT"),
    ("jobs_pool_skills_added", "people_candidateskill", "AFTER INSERT", "REFERENCING NEW TABLE AS pool_new FOR EACH STATEMENT"),
    ("jobs_pool_skills_removed", "people_candidateskill", "AFTER DELETE", "REFERENCING OLD TABLE AS pool_old FOR EACH STATEMENT"),
    ("jobs_pool_skill_changed", "people_candidateskill", "AFTER UPDATE", "FOR EACH ROW WHEN (OLD.candidate_id IS DISTINCT FROM NEW.candidate_id OR OLD.skill_id IS DISTINCT FROM NEW.skill_id)"),
    ("jobs_pool_emptied", "people_candidateskill", "AFTER TRUNCATE", "FOR EACH STATEMENT"),
]


def _triggers_add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, body in FUNCTIONS:
        schema_editor.execute(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {body} RETURN NULL; END $$"
        )
    for function, table, when, how in TRIGGERS:
        schema_editor.execute(
            f"CREATE TRIGGER {function}_on_{table} {when} ON {table} {how} "
            f"EXECUTE FUNCTION {function}()"
        )


def _triggers_remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for function, table, _, _ in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {function}_on_{table} ON {table}")
    for name, _ in FUNCTIONS:
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")


class Migration(migrations.Migration):

    dependencies = [
        ('jobs', '0002_automation_changed_by'),
        ('people', '0007_candidatetag_reason'),
    ]

    operations = [
        migrations.CreateModel(
            name='PoolChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('low', models.BigIntegerField(null=True)),
                ('high', models.BigIntegerField(null=True)),
                ('xid', models.BigIntegerField()),
                ('at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'indexes': [models.Index(fields=['xid'], name='jobs_poolchange_xid')],
            },
        ),
        migrations.RunPython(_triggers_add, _triggers_remove),
    ]
