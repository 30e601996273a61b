
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
        ('people', '0004_fewer_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='activity',
            name='candidate',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='activities', to='people.candidate'),
        ),
        migrations.AlterField(
            model_name='activity',
            name='occurred_at',
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
    ]
