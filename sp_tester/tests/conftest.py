import shutil

import pytest
from django.test import Client

from accounts.demo import demo_directory_seed
from accounts.models import User, UserGroup
from sso_apps.idp.runtime import runtimes
from sso_apps.models import ConnectorTemplate
from sso_apps.services.catalog import CATALOG_DIR, catalog_load

BASE_URL = "http://127.0.0.1:8000"


@pytest.fixture
def client():
    """A browser on the development origin, so Destination and Recipient match our URLs."""
    return Client(headers={"host": "127.0.0.1:8000"})


@pytest.fixture(scope="session")
def tester_key_file(tmp_path_factory):
    # One key pair for the run: generating RSA keys per test only costs time.
    return tmp_path_factory.mktemp("sp-tester") / "key.pem"


@pytest.fixture(autouse=True)
def tester_on(settings, tester_key_file):
    settings.SP_TESTER_ENABLED = True
    # The development origin; python3-saml refuses URLs on a dotless host like "testserver".
    settings.TESSERA_BASE_URL = BASE_URL
    settings.SP_TESTER_KEY_FILE = str(tester_key_file)
    runtimes.clear()
    yield
    runtimes.clear()


@pytest.fixture
def custom_saml_connector(db, tmp_path_factory):
    """The shipped custom-saml.yaml, loaded by the catalog loader (not a factory row)."""
    folder = tmp_path_factory.mktemp("catalog")
    shutil.copy(CATALOG_DIR / "custom-saml.yaml", folder / "custom-saml.yaml")
    catalog_load(directory=folder)
    return ConnectorTemplate.objects.get(slug="custom-saml")


@pytest.fixture
def demo(custom_saml_connector):
    """Seed the demo directory and the tester's application; return the application."""
    from sso_apps.demo import demo_saml_tester_seed

    demo_directory_seed(password="demo-password")
    return demo_saml_tester_seed(groups=[UserGroup.objects.get(name="Engineering")])


@pytest.fixture
def ada(demo):
    return User.objects.get(email="ada.lovelace@example.com")
