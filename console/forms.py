"""Forms of the User Console: sign-in and the account page's password change."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _


class ConsoleLoginForm(forms.Form):
    """Sign in to the User Console with email and password."""

    email = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _("That email and password do not match an account."),
        "suspended": _(
            "Your account is suspended, so you cannot sign in. Contact your administrator."
        ),
        "staged": _(
            "Your account has not been activated yet, so you cannot sign in. "
            "Contact your administrator."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user_cache = None
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", _("Sign in"), css_class="w-100"))

    def clean(self):
        email = self.cleaned_data.get("email")
        password = self.cleaned_data.get("password")
        if email and password:
            # `username` is what django-axes counts failures against.
            self.user_cache = authenticate(self.request, username=email, password=password)
            if self.user_cache is None:
                raise self._refusal(email, password)
        return self.cleaned_data

    def _refusal(self, email, password):
        """Say plainly why a correct password for a non-active account does not work."""
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is not None and not user.is_active and user.check_password(password):
            return forms.ValidationError(self.error_messages[user.state], code=user.state)
        return forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")

    def get_user(self):
        return self.user_cache


class ConsoleReauthenticateForm(forms.Form):
    """Re-enter the password of the user already signed in (an SP's ForceAuthn)."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autofocus": True, "autocomplete": "current-password"}),
    )

    error_messages = {"invalid_password": _("That password is not right. Try again.")}

    def __init__(self, request, *args, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", _("Continue"), css_class="w-100"))

    def clean(self):
        password = self.cleaned_data.get("password")
        if password:
            # Always the signed-in user's own email: the form has no email field to change,
            # so a re-authentication can never switch accounts. django-axes counts failures.
            user = authenticate(self.request, username=self.request.user.email, password=password)
            if user is None or user.pk != self.request.user.pk:
                raise forms.ValidationError(
                    self.error_messages["invalid_password"], code="invalid_password"
                )
        return self.cleaned_data


class ConsolePasswordChangeForm(PasswordChangeForm):
    """Django's password change (old password + validators), laid out with crispy-forms."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django's form autofocuses "Old password"; on the account page that skips the
        # page's heading and factors, and a screen reader starts mid-form.
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Change password")))
