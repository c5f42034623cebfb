"""The audit list's two filters, newest first, built without blocking sign-ins.

They replace the single-column indexes on action and outcome, which 0018 drops.
"""

from django.db import migrations, models

from tessera.indexes import AddIndexOnline


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run in a transaction.
    atomic = False

    dependencies = [("sso_apps", "0016_saml_mfa_required")]

    operations = [
        AddIndexOnline(
            model_name="auditevent",
            index=models.Index(fields=["action", "created_at"], name="sso_apps_audit_action_time"),
        ),
        AddIndexOnline(
            model_name="auditevent",
            index=models.Index(
                fields=["outcome", "created_at"], name="sso_apps_audit_outcome_time"
            ),
        ),
    ]
