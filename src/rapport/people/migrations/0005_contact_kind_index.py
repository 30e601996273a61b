
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0004_fewer_indexes'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='contactpoint',
            index=models.Index(fields=['kind', 'candidate'], name='contact_kind_candidate_idx'),
        ),
    ]
