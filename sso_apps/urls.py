from django.urls import path

from sso_apps.idp import chain_views
from sso_apps.idp import views as idp

app_name = "saml"

urlpatterns = [
    path(
        "logout/<uuid:chain_id>",
        chain_views.LogoutChainView.as_view(),
        name="logout-chain",
    ),
    path("<slug:suffix>", idp.SsoView.as_view(), name="sso"),
    path("<slug:suffix>/continue", idp.SsoContinueView.as_view(), name="continue"),
    path("<slug:suffix>/init", idp.IdpInitView.as_view(), name="init"),
    path("<slug:suffix>/slo", idp.SloView.as_view(), name="slo"),
    path("<slug:suffix>/slo/confirm", idp.SloConfirmView.as_view(), name="slo-confirm"),
    path("<slug:suffix>/metadata", idp.metadata, name="metadata"),
]
