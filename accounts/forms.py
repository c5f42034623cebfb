from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.forms import AdminUserCreationForm, PasswordChangeForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from accounts import rules, services
from accounts.models import User, UserGroup


class UserAdminCreationForm(AdminUserCreationForm):
    """Create a user with an initial password or with no usable password."""

    class Meta:
        model = User
        fields = ("email", "username", "first_name", "last_name")

    def clean_username(self):
        # Django's version looks the username up as USERNAME_FIELD, which is email here.
        username = self.cleaned_data.get("username")
        if username and User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("A user with that username already exists."))
        return username

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data.get("email"))
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("A user with that email already exists."))
        return email


class UserAdminChangeForm(UserChangeForm):
    """Change a user; a role change the actor may not make is a form error, and audited."""

    # Set per request by UserAdmin.get_form: who is editing, and the request for the audit.
    actor: User | None = None
    request = None

    class Meta:
        model = User
        fields = "__all__"

    def clean(self):
        cleaned_data = super().clean()
        roles = {f: cleaned_data[f] for f in rules.ROLE_FIELDS if f in cleaned_data}
        if self.actor is not None and self.instance.pk is not None and roles:
            try:
                services.user_roles_check(
                    actor=self.actor, user=self.instance, request=self.request, **roles
                )
            except services.RoleChangeRefused as refusal:
                raise forms.ValidationError(str(refusal), code="role_refused") from None
        return cleaned_data


class AddToGroupForm(forms.Form):
    """Choose the group for the admin's bulk "add to group" action."""

    group = forms.ModelChoiceField(queryset=UserGroup.objects.all(), label=_("User group"))


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


class ConsolePasswordChangeForm(PasswordChangeForm):
    """Django's password change (old password + validators), laid out with crispy-forms."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Change password")))
