from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sso_apps", "0007_sp_sessions"),
    ]

    operations = [
        # One name for the connector's type: Application.kind was the same value as
        # ConnectorTemplate.type under a second name.
        migrations.RenameField(
            model_name="application",
            old_name="kind",
            new_name="connector_type",
        ),
    ]
