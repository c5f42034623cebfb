"""Reads of the SP sessions an IdP-side Single Logout ends."""

from django.db.models import QuerySet

from sso_apps.models import Application, SpSession


def sp_sessions_for_logout(
    *,
    application: Application,
    name_id: str,
    name_id_format: str | None,
    session_indexes: tuple[str, ...] = (),
) -> QuerySet[SpSession]:
    """Return the app's SP sessions a LogoutRequest names: its NameID exactly as issued.

    No directory lookup and no case folding: only what this app's assertions said. A
    NameID Format, when the request gives one, must be the issued one; SessionIndex
    values, when given, narrow it to those sessions.
    """
    sessions = SpSession.objects.filter(application=application, name_id=name_id)
    if name_id_format:
        sessions = sessions.filter(name_id_format=name_id_format)
    indexes = [index for index in session_indexes if index]
    if session_indexes:
        sessions = sessions.filter(session_index__in=indexes)
    return sessions
