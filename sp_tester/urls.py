from django.urls import path

from sp_tester import views

app_name = "sp_tester"

urlpatterns = [
    path("", views.tester_home, name="home"),
    path("login", views.tester_login, name="login"),
    path("acs", views.tester_acs, name="acs"),
    path("logout", views.tester_logout, name="logout"),
    path("sls", views.tester_sls, name="sls"),
    path("metadata", views.tester_metadata, name="metadata"),
]
