from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.static import serve

from portal.health import LivenessView, ReadinessView

handler403 = "portal.views.permission_denied"
handler500 = "portal.views.server_error"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="console:home", permanent=False)),
    # Probes for load balancers and orchestrators (anonymous; see portal/health.py).
    path("healthz", LivenessView.as_view(), name="healthz"),
    path("readyz", ReadinessView.as_view(), name="readyz"),
    path("admin/", admin.site.urls),
    path("userconsole/", include("console.urls")),
    # django-otp-webauthn's JSON API (its script reverses these names), bound to our flow.
    path("userconsole/mfa/webauthn/", include(("console.mfa.webauthn", "otp_webauthn"))),
    path("saml2/", include("sso_apps.urls")),
    # Answers 404 unless SP_TESTER_ENABLED (on in development only).
    path("sp-tester/", include("sp_tester.urls")),
]

# Uploaded User Portal Images are re-encoded rasters (sso_apps.images), so serving that
# one folder from Django is safe; a deployment may still put it behind its web server.
urlpatterns += [
    re_path(
        r"^media/(?P<path>portal-images/[\w.-]+)$",
        serve,
        {"document_root": settings.MEDIA_ROOT},
    ),
]
