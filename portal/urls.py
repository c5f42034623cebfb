from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

handler403 = "portal.views.permission_denied"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="userconsole:home", permanent=False)),
    path("admin/", admin.site.urls),
    path("userconsole/", include("accounts.urls")),
    path("saml2/", include("sso_apps.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
