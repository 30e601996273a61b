
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_fewer_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='PeriodicRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, unique=True)),
                ('last_enqueued_at', models.DateTimeField(blank=True, null=True)),
            ],
        ),
    ]
