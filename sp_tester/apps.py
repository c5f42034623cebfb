from django.apps import AppConfig


class SpTesterConfig(AppConfig):
    name = "sp_tester"
    verbose_name = "SAML test service provider"
