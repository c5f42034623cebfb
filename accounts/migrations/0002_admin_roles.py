"""Create the two ready-made Admin Portal roles.

Their permissions are attached by accounts.roles.roles_sync_permissions after every
migrate, because permissions for models of later apps do not exist yet at this point.
"""

from django.db import migrations

ROLES = ("Administrator", "Read Only")


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def delete_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, delete_roles)]
