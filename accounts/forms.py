from django import forms
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
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
