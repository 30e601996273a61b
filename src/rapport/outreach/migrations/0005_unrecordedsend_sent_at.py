import django.utils.timezone
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def sent_at_copy(apps, schema_editor):
    """Sends noted before this change were marked on the message itself."""
    Message = apps.get_model("outreach", "Message")
    UnrecordedSend = apps.get_model("outreach", "UnrecordedSend")
    UnrecordedSend.objects.filter(message__sent_at__isnull=False).update(
        sent_at=Subquery(Message.objects.filter(pk=OuterRef("message_id")).values("sent_at")[:1])
    )


class Migration(migrations.Migration):
    """A send is noted by the UnrecordedSend row alone, with its time; the
    message row is marked sent per batch when the send is recorded (see
    decision 0014)."""

    dependencies = [
        ("outreach", "0004_message_unrecorded_send"),
    ]

    operations = [
        migrations.AddField(
            model_name="unrecordedsend",
            name="sent_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.RunPython(sent_at_copy, migrations.RunPython.noop),
    ]
