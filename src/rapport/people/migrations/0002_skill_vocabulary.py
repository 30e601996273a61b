from django.db import migrations


def load(apps, schema_editor):
    from rapport.people.vocabulary import load_vocabulary

    load_vocabulary(apps.get_model("people", "Skill"), apps.get_model("people", "SkillAlias"))


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
