from sso_apps.models.applications import AcsUrl, Application, SamlAttribute, SamlConfig
from sso_apps.models.audit import AuditEvent
from sso_apps.models.catalog import ConnectorTemplate
from sso_apps.models.certificates import IdpKeyPair
from sso_apps.models.notifications import Notification
from sso_apps.models.replay import SeenSamlRequest

__all__ = [
    "AcsUrl",
    "Application",
    "AuditEvent",
    "ConnectorTemplate",
    "IdpKeyPair",
    "Notification",
    "SamlAttribute",
    "SamlConfig",
    "SeenSamlRequest",
]
