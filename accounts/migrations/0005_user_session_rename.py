# The session record tracks a user's signed-in sessions for Single Logout, not the
# User Console's: ConsoleSession becomes UserSession. RenameModel renames the table
# (accounts_consolesession -> accounts_usersession) and keeps its rows.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_user_name_indexes"),
    ]

    operations = [
        migrations.RenameModel(old_name="ConsoleSession", new_name="UserSession"),
        migrations.AlterModelOptions(
            name="usersession",
            options={"verbose_name": "user session"},
        ),
        migrations.AlterField(
            model_name="usersession",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="signed_in_sessions",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
