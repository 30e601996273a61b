
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0003_search_document'),
    ]

    operations = [
        migrations.AlterField(
            model_name='candidateskill',
            name='candidate',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='skill_links', to='people.candidate'),
        ),
        migrations.AlterField(
            model_name='candidateskill',
            name='skill',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='people.skill'),
        ),
        migrations.AlterField(
            model_name='candidatetag',
            name='candidate',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='tag_links', to='people.candidate'),
        ),
        migrations.AlterField(
            model_name='candidatetag',
            name='tag',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='candidate_links', to='people.tag'),
        ),
    ]
