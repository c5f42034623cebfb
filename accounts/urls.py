from django.urls import path

from accounts import views

app_name = "userconsole"

urlpatterns = [
    path("", views.console_home, name="home"),
    path("account/", views.console_account, name="account"),
    path("login/", views.console_login, name="login"),
    path("logout/", views.console_logout, name="logout"),
]
