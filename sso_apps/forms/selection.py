"""Tick boxes over one page of a long list (groups of an app, apps of a group)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class PageSelectionForm(forms.Form):
    """Which rows a page showed and which of them are ticked.

    Only rows shown on the page change: ticks on other pages or outside the current
    search stay as they are.
    """

    shown = forms.ModelMultipleChoiceField(queryset=None, required=False)
    checked = forms.ModelMultipleChoiceField(queryset=None, required=False)

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shown"].queryset = queryset
        self.fields["checked"].queryset = queryset

    def clean(self):
        cleaned = super().clean()
        shown = set(cleaned.get("shown") or [])
        checked = set(cleaned.get("checked") or [])
        if not checked <= shown:
            raise ValidationError(_("The page changed while you were editing; try again."))
        return cleaned

    def selection(self, current_ids) -> set[int]:
        """Return the ids selected after this page: (current − shown) ∪ checked."""
        shown = {row.pk for row in self.cleaned_data["shown"]}
        checked = {row.pk for row in self.cleaned_data["checked"]}
        return (set(current_ids) - shown) | checked
