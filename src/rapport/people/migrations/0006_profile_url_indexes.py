# Profile URLs are stored in one spelling from now on (core.contacts.canonical_profile_url),
# so that identity can find a person by them; existing ones are rewritten, then indexed.

from django.db import migrations, models
from django.db.models import Q

BATCH = 2000


def canonical(apps, schema_editor):
    from rapport.core.contacts import canonical_profile_url

    Candidate = apps.get_model("people", "Candidate")
    rows = Candidate.objects.filter(~Q(linkedin_url="") | ~Q(github_url="")).only(
        "id", "linkedin_url", "github_url"
    )
    changed = []
    for candidate in rows.iterator(chunk_size=BATCH):
        linkedin = canonical_profile_url(candidate.linkedin_url) if candidate.linkedin_url else ""
        github = canonical_profile_url(candidate.github_url) if candidate.github_url else ""
        if (linkedin, github) != (candidate.linkedin_url, candidate.github_url):
            candidate.linkedin_url, candidate.github_url = linkedin, github
            changed.append(candidate)
        if len(changed) >= BATCH:
            Candidate.objects.bulk_update(changed, ["linkedin_url", "github_url"])
            changed = []
    if changed:
        Candidate.objects.bulk_update(changed, ["linkedin_url", "github_url"])


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0005_contact_kind_index"),
    ]

    operations = [
        migrations.RunPython(canonical, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="candidate",
            index=models.Index(fields=["linkedin_url"], name="candidate_linkedin_idx"),
        ),
        migrations.AddIndex(
            model_name="candidate",
            index=models.Index(fields=["github_url"], name="candidate_github_idx"),
        ),
    ]
