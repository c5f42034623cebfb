"""The tester's settings (SP_TESTER_*), read in one place."""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

ACS_PATH = "/sp-tester/acs"
SLS_PATH = "/sp-tester/sls"
METADATA_PATH = "/sp-tester/metadata"


@dataclass(frozen=True)
class TesterSettings:
    """What the tester is, where it lives, and which Tessera application it trusts."""

    enabled: bool
    base_url: str
    idp_suffix: str
    key_file: Path

    @property
    def entity_id(self) -> str:
        return f"{self.base_url}{METADATA_PATH}"

    @property
    def acs_url(self) -> str:
        return f"{self.base_url}{ACS_PATH}"

    @property
    def sls_url(self) -> str:
        return f"{self.base_url}{SLS_PATH}"

    @property
    def idp_metadata_path(self) -> str:
        return f"/saml2/{self.idp_suffix}/metadata"


def tester_settings() -> TesterSettings:
    """Return the tester's settings as they are now (tests change them per test)."""
    return TesterSettings(
        enabled=getattr(settings, "SP_TESTER_ENABLED", False),
        base_url=settings.TESSERA_BASE_URL.rstrip("/"),
        idp_suffix=settings.SP_TESTER_IDP_SUFFIX,
        key_file=Path(settings.SP_TESTER_KEY_FILE),
    )
