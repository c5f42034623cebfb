from django.urls import path

from console import views
from console.mfa import account as mfa_account
from console.mfa import signin as mfa_signin

app_name = "console"

urlpatterns = [
    path("", views.console_home, name="home"),
    path("account/", views.console_account, name="account"),
    path("login/", views.ConsoleLoginView.as_view(), name="login"),
    path("login/again/", views.console_reauthenticate, name="reauthenticate"),
    path("logout/", views.console_logout, name="logout"),
    path("signed-out/", views.console_signed_out, name="signed-out"),
    # The second sign-in step (after the password, before the session is signed in).
    path("mfa/verify/", mfa_signin.mfa_verify, name="mfa_verify"),
    # A signed-in user's second factor before an application's login continues.
    path("mfa/step-up/", mfa_signin.mfa_step_up, name="mfa_step_up"),
    path("mfa/cancel/", mfa_signin.mfa_cancel, name="mfa_cancel"),
    # Enrolment: forced right after the password, or from the account page.
    path("mfa/setup/", mfa_account.mfa_setup, name="mfa_setup"),
    path("mfa/recovery-codes/", mfa_account.mfa_recovery_codes, name="mfa_recovery_codes"),
    path(
        "mfa/recovery-codes/new/",
        mfa_account.mfa_recovery_codes_new,
        name="mfa_recovery_codes_new",
    ),
    path("mfa/factors/remove/", mfa_account.mfa_factor_delete, name="mfa_factor_remove"),
    path("mfa/confirm-password/", mfa_account.mfa_confirm_password, name="mfa_confirm_password"),
]
