
from collections import defaultdict

import django.db.models.deletion
from django.db import migrations, models

from rapport.people.documents import DocumentParts, document


def fill_documents(apps, schema_editor):
    """Build the search document of every existing candidate, a thousand at a time."""
    Candidate = apps.get_model("people", "Candidate")
    SearchDocument = apps.get_model("people", "SearchDocument")
    CandidateSkill = apps.get_model("people", "CandidateSkill")
    ContactPoint = apps.get_model("people", "ContactPoint")
    Note = apps.get_model("people", "Note")
    ids = list(Candidate.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        skills, emails, notes = defaultdict(list), defaultdict(list), defaultdict(list)
        for cid, name in (
            CandidateSkill.objects.filter(candidate_id__in=chunk)
            .order_by("skill_id")
            .values_list("candidate_id", "skill__name")
        ):
            skills[cid].append(name)
        for cid, value in (
            ContactPoint.objects.filter(candidate_id__in=chunk, kind="email")
            .order_by("-is_primary", "pk")
            .values_list("candidate_id", "value")
        ):
            emails[cid].append(value)
        for cid, body, confidential in (
            Note.objects.filter(candidate_id__in=chunk)
            .order_by("pk")
            .values_list("candidate_id", "body", "confidential")
        ):
            notes[cid].append((body, confidential))
        documents = [
            _row(
                SearchDocument,
                c.pk,
                document(
                    DocumentParts(
                        first_name=c.first_name,
                        last_name=c.last_name,
                        headline=c.headline,
                        title=c.current_title,
                        company=c.current_company,
                        city=c.city,
                        skills=skills[c.pk],
                        emails=emails[c.pk],
                        notes=[b for b, secret in notes[c.pk] if not secret],
                        confidential_notes=[b for b, secret in notes[c.pk] if secret],
                    )
                ),
            )
            for c in Candidate.objects.filter(pk__in=chunk)
        ]
        SearchDocument.objects.bulk_create(documents)


def _row(SearchDocument, pk, built):
    return SearchDocument(candidate_id=pk, tokens=built.tokens, private_tokens=built.private_tokens)


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0002_skill_vocabulary'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchDocument',
            fields=[
                ('candidate', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='search_document', serialize=False, to='people.candidate')),
                ('tokens', models.TextField(blank=True)),
                ('private_tokens', models.TextField(blank=True)),
            ],
        ),
        migrations.RemoveField(
            model_name='candidate',
            name='search_text',
        ),
        migrations.RunPython(fill_documents, migrations.RunPython.noop, elidable=True),
    ]
