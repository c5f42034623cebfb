"""Development: DEBUG on, secrets generated once into git-ignored files."""

from portal.settings.base import *  # noqa: F403
from portal.settings.env import dev_secret, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="") or dev_secret(".secret_key")
SSO_APPS_KEY_ENCRYPTION_SECRET = SSO_APPS_KEY_ENCRYPTION_SECRET or dev_secret(  # noqa: F405
    ".key_encryption_secret"
)
# The built-in SAML test SP shows SSO working right after scripts/start.
SP_TESTER_ENABLED = env.bool("TESSERA_SP_TESTER_ENABLED", default=True)
# The built-in tester's metadata (/sp-tester/metadata) is on 127.0.0.1: let a developer
# try the SSO tab's SP metadata URL with it. Production keeps the default, off.
SSO_APPS_METADATA_ALLOW_PRIVATE_ADDRESSES = env.bool(
    "SSO_APPS_METADATA_ALLOW_PRIVATE_ADDRESSES", default=True
)
