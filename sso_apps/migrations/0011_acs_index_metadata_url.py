"""Keep each ACS URL's index and binding, and where an SP publishes its metadata (issue 12).

Existing ACS URLs are numbered 0, 1, ... per application in the order the IdP already
used them (default first), so the numbers match the SP descriptor pysaml2 was given.
"""

import django.db.models.deletion
from django.db import migrations, models


def _number_existing_acs_urls(apps, schema_editor):
    AcsUrl = apps.get_model("sso_apps", "AcsUrl")
    position: dict[int, int] = {}
    rows = list(AcsUrl.objects.order_by("config_id", "-is_default", "pk"))
    for row in rows:
        row.index = position.get(row.config_id, 0)
        position[row.config_id] = row.index + 1
    AcsUrl.objects.bulk_update(rows, ["index"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("sso_apps", "0010_saml_allow_requested_nameid_format"),
    ]

    operations = [
        migrations.CreateModel(
            name="SpMetadataUrl",
            fields=[
                (
                    "config",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="metadata_url",
                        serialize=False,
                        to="sso_apps.samlconfig",
                    ),
                ),
                ("url", models.CharField(max_length=1000, verbose_name="SP metadata URL")),
                ("applied", models.JSONField(blank=True, default=dict, editable=False)),
                (
                    "fetched_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="last fetched"
                    ),
                ),
                (
                    "refreshed_at",
                    models.DateTimeField(
                        blank=True,
                        editable=False,
                        null=True,
                        verbose_name="last fetched successfully",
                    ),
                ),
                (
                    "changed_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="last changed"
                    ),
                ),
                ("error", models.TextField(blank=True, editable=False, verbose_name="last error")),
                (
                    "error_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="last error at"
                    ),
                ),
            ],
            options={
                "verbose_name": "SP metadata URL",
            },
        ),
        migrations.AlterModelOptions(
            name="acsurl",
            options={
                "ordering": ["-is_default", "index", "pk"],
                "verbose_name": "ACS URL",
                "verbose_name_plural": "ACS URLs",
            },
        ),
        migrations.AddField(
            model_name="acsurl",
            name="binding",
            field=models.CharField(
                choices=[("post", "HTTP-POST")],
                default="post",
                max_length=20,
                verbose_name="binding",
            ),
        ),
        migrations.AddField(
            model_name="acsurl",
            name="index",
            field=models.PositiveIntegerField(
                help_text="The SP's AssertionConsumerServiceIndex for this URL (0 to 65535).",
                null=True,
                verbose_name="index",
            ),
        ),
        migrations.RunPython(_number_existing_acs_urls, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="acsurl",
            name="index",
            field=models.PositiveIntegerField(
                help_text="The SP's AssertionConsumerServiceIndex for this URL (0 to 65535).",
                verbose_name="index",
            ),
        ),
        migrations.AddConstraint(
            model_name="acsurl",
            constraint=models.UniqueConstraint(
                fields=("config", "index"), name="sso_apps_acs_index_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="acsurl",
            constraint=models.CheckConstraint(
                condition=models.Q(("index__lte", 65535)), name="sso_apps_acs_index_range"
            ),
        ),
        migrations.AddConstraint(
            model_name="spmetadataurl",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("url__regex", "^https?://[A-Za-z0-9._:\\[\\]-]+([/?#]|$)"),
                    models.Q(("url__regex", "\\s"), _negated=True),
                ),
                name="sso_apps_sp_metadata_url_http",
            ),
        ),
    ]
