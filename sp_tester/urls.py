from django.urls import path

app_name = "sp_tester"


def _view(name: str, *, csrf_exempt: bool = False):
    """Return a view that imports sp_tester.views when it is first called.

    NOTE: every web worker loads the URLconf, and the tester's views bring python3-saml
    and django.test (about 5 MB per worker) into it; the tester is off in most
    deployments (TESSERA_SP_TESTER_ENABLED), so its code loads only once it is used.
    Attributes that middleware reads off the resolved view (csrf_exempt) are set here.
    """

    def view(request, *args, **kwargs):
        from sp_tester import views

        return getattr(views, name)(request, *args, **kwargs)

    view.__name__ = view.__qualname__ = name
    view.__module__ = "sp_tester.views"
    if csrf_exempt:
        view.csrf_exempt = True
    return view


urlpatterns = [
    path("", _view("tester_home"), name="home"),
    path("login", _view("tester_login"), name="login"),
    # The IdP posts the Response cross-site (HTTP-POST binding).
    path("acs", _view("tester_acs", csrf_exempt=True), name="acs"),
    path("logout", _view("tester_logout"), name="logout"),
    path("sls", _view("tester_sls"), name="sls"),
    path("metadata", _view("tester_metadata"), name="metadata"),
]
