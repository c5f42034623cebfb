from sso_apps.models.applications import AcsUrl, Application, SamlAttribute, SamlConfig
from sso_apps.models.audit import AuditEvent
from sso_apps.models.catalog import ConnectorTemplate
from sso_apps.models.certificates import IdpKeyPair
from sso_apps.models.expiry import CertificateExpiryWarning, ExpiryThreshold
from sso_apps.models.jobs import ApplicationDeletionJob
from sso_apps.models.logout_chains import LogoutChain, LogoutChainStep
from sso_apps.models.notifications import Notification
from sso_apps.models.replay import SeenSamlRequest
from sso_apps.models.sessions import IssuedLogoutRequest, SpSession
from sso_apps.models.sp_metadata import SpMetadataUrl

__all__ = [
    "AcsUrl",
    "Application",
    "ApplicationDeletionJob",
    "AuditEvent",
    "CertificateExpiryWarning",
    "ConnectorTemplate",
    "ExpiryThreshold",
    "IdpKeyPair",
    "IssuedLogoutRequest",
    "LogoutChain",
    "LogoutChainStep",
    "Notification",
    "SamlAttribute",
    "SamlConfig",
    "SeenSamlRequest",
    "SpMetadataUrl",
    "SpSession",
]
