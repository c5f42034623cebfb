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
