"""Texting opt-outs keep the SHA-256 of the number instead of the number
(decision 0017): the list outlives the candidates it protects, erased ones
included, so it must not hold their numbers."""

import hashlib

from django.db import migrations, models


def digest_numbers(apps, schema_editor):
    SmsOptOut = apps.get_model("inbox", "SmsOptOut")
    for opt_out in SmsOptOut.objects.all():
        opt_out.digest = hashlib.sha256(opt_out.number.strip().encode()).hexdigest()
        opt_out.save(update_fields=["digest"])


class Migration(migrations.Migration):
    dependencies = [("inbox", "0005_text_claimed_at")]

    operations = [
        migrations.AddField(
            model_name="smsoptout",
            name="digest",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(digest_numbers, migrations.RunPython.noop),
        migrations.RemoveField(model_name="smsoptout", name="number"),
        migrations.AlterField(
            model_name="smsoptout",
            name="digest",
            field=models.CharField(max_length=64, unique=True),
        ),
    ]
