"""Show a service's ValidationError on the form that called it."""

from django import forms
from django.core.exceptions import ValidationError


def form_add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Attach the service's errors to the matching fields, the rest to the whole form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, errors in error.error_dict.items():
        messages = [message for item in errors for message in item.messages]
        form.add_error(field if field in form.fields else None, messages)
