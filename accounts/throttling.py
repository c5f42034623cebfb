"""Glue between django-axes and our sign-in forms."""


def axes_username(request, credentials):
    """Return the identifier axes counts failures against: the lower-cased email."""
    value = ""
    if credentials:
        value = credentials.get("username") or credentials.get("email") or ""
    if not value and request is not None:
        value = request.POST.get("username") or request.POST.get("email") or ""
    return value.strip().lower()
