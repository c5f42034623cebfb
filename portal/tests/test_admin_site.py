import pytest
from django.contrib import admin
from djangosaml2idp.models import PersistentId, ServiceProvider


@pytest.mark.parametrize("model", [ServiceProvider, PersistentId])
def test_upstream_service_provider_admin_is_hidden(model):
    assert not admin.site.is_registered(model)


@pytest.mark.django_db
def test_upstream_admin_urls_are_gone(admin_client):
    assert admin_client.get("/admin/djangosaml2idp/serviceprovider/").status_code == 404
