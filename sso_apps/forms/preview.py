"""Which user an admin previews an application's Assertion for."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import user_autocomplete

MAX_MATCHES = 20


class PreviewUserForm(forms.Form):
    """A search by email or name, or the id of a user picked from its matches."""

    q = forms.CharField(
        label=_("User"),
        max_length=150,
        required=False,
        strip=True,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("Email, username, first or last name: the start of it is enough."),
    )
    user = forms.ModelChoiceField(queryset=User.objects.all(), required=False)

    def matches(self) -> list[User]:
        """Return up to MAX_MATCHES users for the search, or [] without one."""
        query = self.cleaned_data.get("q", "")
        return list(user_autocomplete(term=query).order_by("email")[:MAX_MATCHES]) if query else []

    def chosen(self, matches: list[User]) -> User | None:
        """Return the picked user, else the only match, else an exact email match."""
        user = self.cleaned_data.get("user")
        if user is not None:
            return user
        if len(matches) == 1:
            return matches[0]
        query = self.cleaned_data.get("q", "").lower()
        return next((match for match in matches if match.email.lower() == query), None)
