import sso_apps.models.applications
from django.db import migrations, models

# Frozen copies of the names at the time of this migration, so later code changes do not
# change what it did.
DOMAIN_PLACEHOLDER = "YOURDOMAIN"
PLACEHOLDER_FIELDS = ("sp_entity_id", "sp_login_url", "sp_logout_url", "default_relay_state")


def templates_backfill(apps, schema_editor):
    """Keep each existing app's connector values that hold placeholders, as creation now does.

    The connector's saml_defaults row is its catalog YAML as loaded; an app whose values
    hold no placeholder gets an empty dict, which changes nothing on a later save.
    """
    SamlConfig = apps.get_model("sso_apps", "SamlConfig")
    configs = SamlConfig.objects.select_related("application__connector")
    for config in configs.iterator():
        connector = config.application.connector
        if connector is None:
            continue
        names = list(connector.placeholders or [])
        if DOMAIN_PLACEHOLDER not in names:
            names.append(DOMAIN_PLACEHOLDER)
        defaults = connector.saml_defaults or {}

        def templated(value, names=names):
            return isinstance(value, str) and any(name in value for name in names)

        templates = {
            field: defaults[field] for field in PLACEHOLDER_FIELDS if templated(defaults.get(field))
        }
        acs = [url for url in defaults.get("acs_urls") or [] if templated(url)]
        if acs:
            templates["acs_urls"] = acs
        attributes = {
            item["name"]: str(item["value"])
            for item in defaults.get("attributes") or []
            if item.get("value") is not None and templated(str(item["value"]))
        }
        if attributes:
            templates["attributes"] = attributes
        if templates:
            config.value_templates = templates
            config.save(update_fields=["value_templates"])


class Migration(migrations.Migration):
    dependencies = [
        ("sso_apps", "0014_application_label_trgm"),
    ]

    operations = [
        migrations.AddField(
            model_name="samlconfig",
            name="value_templates",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.AlterField(
            model_name="samlconfig",
            name="domain",
            field=models.CharField(
                blank=True,
                help_text="Your domain at the vendor; replaces every YOURDOMAIN placeholder on save.",
                max_length=253,
                validators=[sso_apps.models.applications.validate_domain],
                verbose_name="Domain",
            ),
        ),
        migrations.RunPython(templates_backfill, migrations.RunPython.noop),
    ]
