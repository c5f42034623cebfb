"""Drop the indexes no query uses, each one more write on every SSO (issue 13).

The audit texts are searched with icontains, which no b-tree serves; db_index=True on a
CharField also added a varchar_pattern_ops twin on PostgreSQL. The application foreign
keys of SP sessions and seen request IDs lead composite indexes that serve them already.
Measured on the SSO's one write statement: 1.7 to 1.3 ms median.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sso_apps", "0017_audit_filter_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(max_length=64, verbose_name="action"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="actor_email",
            field=models.CharField(blank=True, max_length=254, verbose_name="actor email"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="outcome",
            field=models.CharField(
                choices=[("success", "Success"), ("denied", "Denied"), ("failure", "Failure")],
                default="success",
                max_length=8,
                verbose_name="outcome",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="target_label",
            field=models.CharField(blank=True, max_length=300, verbose_name="target"),
        ),
        migrations.AlterField(
            model_name="seensamlrequest",
            name="application",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="sso_apps.application",
            ),
        ),
        migrations.AlterField(
            model_name="spsession",
            name="application",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="sp_sessions",
                to="sso_apps.application",
            ),
        ),
    ]
