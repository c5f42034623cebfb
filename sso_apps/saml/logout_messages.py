"""Read what Single Logout needs from a LogoutRequest beyond the common message fields."""

from sso_apps.saml.constants import ASSERTION_NS
from sso_apps.saml.parsing import parse_xml


def name_id_format_of(xml: bytes) -> str | None:
    """Return the Format of the LogoutRequest's NameID, or None if it names none."""
    node = parse_xml(xml).find(f"{{{ASSERTION_NS}}}NameID")
    return node.get("Format") if node is not None else None
