from django.urls import path

from console import views

app_name = "console"

urlpatterns = [
    path("", views.console_home, name="home"),
    path("account/", views.console_account, name="account"),
    path("login/", views.ConsoleLoginView.as_view(), name="login"),
    path("login/again/", views.console_reauthenticate, name="reauthenticate"),
    path("logout/", views.console_logout, name="logout"),
    path("signed-out/", views.console_signed_out, name="signed-out"),
]
