from django.urls import path

from sso_apps.idp import views as idp

app_name = "saml"

urlpatterns = [
    path("<slug:suffix>", idp.SsoView.as_view(), name="sso"),
    path("<slug:suffix>/continue", idp.SsoContinueView.as_view(), name="continue"),
    path("<slug:suffix>/init", idp.IdpInitView.as_view(), name="init"),
    path("<slug:suffix>/slo", idp.SloView.as_view(), name="slo"),
    path("<slug:suffix>/slo/confirm", idp.SloConfirmView.as_view(), name="slo-confirm"),
    path("<slug:suffix>/metadata", idp.metadata, name="metadata"),
]
