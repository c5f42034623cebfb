"""Configure the stock IdP's data the documented way: users and one ServiceProvider row per SP."""

import random

from benchmarks.harness.sp import sp_metadata_xml

SP_METADATA = "https://{domain}.bench.test/metadata"
SP_ACS = "https://{domain}.bench.test/acs"


def stock_seed(*, sps: int, users: int, password: str | None) -> list[str]:
    """Create the users and SP rows; return the SP entity IDs.

    NOTE: djangosaml2idp writes each SP's metadata to /tmp/djangosaml2idp/<id>.xml, a
    path shared by every process on the machine (the upstream defect Tessera works around
    in sso_apps/services/service_providers.py). Random row ids keep concurrent baseline
    runs from reading each other's files.
    """
    from django.contrib.auth import get_user_model
    from djangosaml2idp.models import ServiceProvider
    from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

    user_model = get_user_model()
    for n in range(users):
        user = user_model(
            username=f"bench{n}", email=f"bench{n}@example.com", first_name=f"Bench{n}"
        )
        user.set_password(password) if password else user.set_unusable_password()
        user.save()
    first_id = random.randrange(10**6, 2 * 10**9)  # noqa: S311 - not a secret
    entity_ids = []
    for n in range(sps):
        entity_id = SP_METADATA.format(domain=f"sp{n}")
        ServiceProvider(
            id=first_id + n,
            entity_id=entity_id,
            pretty_name=f"Bench SP {n}",
            local_metadata=sp_metadata_xml(
                entity_id=entity_id, acs_url=SP_ACS.format(domain=f"sp{n}")
            ),
            _nameid_field="email",
            _sign_response=True,
            _sign_assertion=True,
            _signing_algorithm=SIG_RSA_SHA256,
            _digest_algorithm=DIGEST_SHA256,
        ).save()
        entity_ids.append(entity_id)
    return entity_ids


def stock_environment(*, database_url: str, key_dir: str, base_url: str) -> dict[str, str]:
    """Return the environment a stock IdP process needs."""
    return {
        "DJANGO_SETTINGS_MODULE": "benchmarks.baseline.project.settings",
        "BASELINE_DATABASE_URL": database_url,
        "BASELINE_KEY_DIR": key_dir,
        "BASELINE_BASE_URL": base_url,
    }
