"""Seed Tessera the way an admin would (services, not raw rows): SAML apps, users, a group."""

from dataclasses import dataclass

SP_METADATA = "https://{domain}.bench.test/metadata"
SP_ACS = "https://{domain}.bench.test/acs"
PASSWORD = "bench-password-1"  # noqa: S105 - a throwaway account in a throwaway database


@dataclass
class Seeded:
    applications: list
    users: list


def sp_domain(n: int) -> str:
    return f"sp{n}"


def tessera_seed(*, apps: int, users: int, password: str | None = PASSWORD) -> Seeded:
    """Create `apps` active SAML apps and `users` users, all in one group authorised for all.

    Each app has the attributes a typical connector sends (Email, FirstName, a constant).
    """
    from accounts.services import group_create, group_members_add, user_create
    from sso_apps.models import ConnectorTemplate
    from sso_apps.services import applications as app_services
    from sso_apps.services import saml_configs

    connector, _ = ConnectorTemplate.objects.get_or_create(
        slug="bench-sp",
        defaults={
            "name": "Bench SP",
            "type": "saml",
            "category": "it_ops",
            "placeholders": ["YOURDOMAIN"],
            "saml_defaults": {
                "sp_entity_id": SP_METADATA.format(domain="YOURDOMAIN"),
                "acs_urls": [SP_ACS.format(domain="YOURDOMAIN")],
                "nameid_format": "emailAddress",
                "nameid_source": "email",
                "attributes": [
                    {"name": "Email", "source": "email"},
                    {"name": "FirstName", "source": "first_name"},
                    {"name": "plan", "value": "enterprise"},
                ],
            },
        },
    )
    people = [
        user_create(
            email=f"bench{n}@example.com",
            username=f"bench{n}",
            password=password,
            first_name=f"Bench{n}",
            last_name="User",
        )
        for n in range(users)
    ]
    group = group_create(name="Bench users")
    group_members_add(group=group, users=people)
    applications = []
    for n in range(apps):
        application = app_services.application_create(
            connector=connector, display_label=f"Bench SP {n}", idp_suffix=f"bench-sp-{n}"
        )
        saml_configs.saml_config_update(
            application=application,
            changes=saml_configs.SamlConfigInput(
                domain=sp_domain(n), sign_response=True, sign_assertion=True
            ),
        )
        application.refresh_from_db()
        app_services.application_sso_activate(application=application)
        app_services.application_groups_set(application=application, groups=[group])
        application.refresh_from_db()
        applications.append(application)
    return Seeded(applications=applications, users=people)


def saml_apps_bulk_seed(
    prefix: str, count: int, *, connector, groups, key_pair, sso_active: bool = False
) -> list[int]:
    """Bulk-insert `count` SAML apps with every row a real app has; return their ids.

    Rows, not services: 10,000 apps through the services would spend minutes generating
    10,000 RSA keys, which no benchmarked path does.
    """
    from sso_apps.key_vault import private_key_encrypt
    from sso_apps.models import AcsUrl, Application, IdpKeyPair, SamlAttribute, SamlConfig
    from sso_apps.saml.keys import certificate_info

    info = certificate_info(key_pair.certificate_pem)
    encrypted = private_key_encrypt(key_pair.private_key_pem)
    apps = Application.objects.bulk_create(
        [
            Application(
                connector=connector,
                connector_type="saml",
                display_label=f"{prefix} {n}",
                idp_suffix=f"{prefix.lower()}-{n}",
                sso_active=sso_active,
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    ids = [app.pk for app in apps]
    SamlConfig.objects.bulk_create(
        [
            SamlConfig(
                application_id=pk,
                idp_entity_id=f"https://idp.example.com/{pk}",
                sp_entity_id=f"https://sp{pk}.example.com/metadata",
            )
            for pk in ids
        ],
        batch_size=2000,
    )
    AcsUrl.objects.bulk_create(
        [
            AcsUrl(config_id=pk, url=f"https://sp{pk}.example.com/acs", is_default=True, index=0)
            for pk in ids
        ],
        batch_size=2000,
    )
    SamlAttribute.objects.bulk_create(
        [
            SamlAttribute(config_id=pk, name=name, source=source)
            for pk in ids
            for name, source in (("Email", "email"), ("FirstName", "first_name"))
        ],
        batch_size=2000,
    )
    IdpKeyPair.objects.bulk_create(
        [
            IdpKeyPair(
                application_id=pk,
                status="active",
                origin="generated",
                certificate_pem=key_pair.certificate_pem,
                private_key_encrypted=encrypted,
                key_size=2048,
                fingerprint_sha256=info.sha256_fingerprint,
                not_before=info.not_before,
                not_after=info.not_after,
            )
            for pk in ids
        ],
        batch_size=2000,
    )
    through = Application.authorized_groups.through
    through.objects.bulk_create(
        [through(application_id=pk, usergroup_id=group.pk) for pk in ids for group in groups],
        batch_size=2000,
    )
    return ids
