from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("idp/", include("djangosaml2idp.urls")),
    path("admin/", admin.site.urls),
    # "its own login view": Django's, as the README's LOGIN_URL expects one.
    path("login/", auth_views.LoginView.as_view(), name="login"),
]
