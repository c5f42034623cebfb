from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sso_apps", "0012_application_label_index"),
    ]

    operations = [
        # Existing apps keep what they had: AES-256-GCM was the only data encryption before.
        migrations.AddField(
            model_name="samlconfig",
            name="data_encryption",
            field=models.CharField(
                choices=[
                    ("aes256-gcm", "AES-256-GCM"),
                    ("aes256-cbc", "AES-256-CBC (for older SPs)"),
                ],
                default="aes256-gcm",
                help_text="How an encrypted assertion's content is encrypted; the key is always wrapped with RSA-OAEP for the SP certificate. Choose AES-256-CBC only for a service provider that cannot read AES-256-GCM (XML Encryption 1.1).",
                max_length=16,
                verbose_name="Data encryption",
            ),
        ),
        migrations.AddConstraint(
            model_name="samlconfig",
            constraint=models.CheckConstraint(
                condition=models.Q(("data_encryption__in", ["aes256-gcm", "aes256-cbc"])),
                name="sso_apps_saml_data_encryption_known",
            ),
        ),
    ]
