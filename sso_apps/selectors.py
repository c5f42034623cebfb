"""Reads of SSO applications and the catalog that are more than a one-line query."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Lower

from sso_apps.models import Application, ConnectorTemplate, IdpKeyPair, SpSession


def connector_search(*, query: str = "") -> QuerySet[ConnectorTemplate]:
    """Return templates matching every word of the query in name, slug, category or keywords."""
    templates = ConnectorTemplate.objects.only(
        "slug", "name", "type", "category", "description", "logo", "color", "verified"
    )
    for word in query.lower().split():
        templates = templates.filter(search_text__contains=word)
    return templates.order_by("name")


def application_list() -> QuerySet[Application]:
    """Return apps with what the list shows, in a fixed number of queries for any count."""
    return (
        Application.objects.select_related("connector")
        .annotate(groups_count=Count("authorized_groups", distinct=True))
        .prefetch_related(
            Prefetch(
                "key_pairs",
                queryset=IdpKeyPair.objects.filter(status=IdpKeyPair.Status.ACTIVE).only(
                    "application_id", "not_after", "status"
                ),
                to_attr="active_key_pairs",
            )
        )
    )


def applications_for_user(*, user) -> QuerySet[Application]:
    """Return the apps a user may use: authorised through a group, SSO active or bookmark."""
    from sso_apps.models.catalog import ConnectorType

    if not user.is_authenticated or not user.is_active:
        return Application.objects.none()
    member = Application.authorized_groups.through.objects.filter(
        application_id=OuterRef("pk"), usergroup__members=user
    )
    return (
        Application.objects.filter(Exists(member))
        .filter(Q(sso_active=True) | Q(connector_type=ConnectorType.BOOKMARK))
        .select_related("connector")
    )


def console_tiles(*, user, query: str = "") -> list[Application]:
    """Return the user's visible apps sorted by label, optionally filtered by label.

    One query whatever the number of apps: the tile needs only the app and its connector.
    """
    tiles = applications_for_user(user=user).filter(show_in_portal=True)
    if query.strip():
        tiles = tiles.filter(display_label__icontains=query.strip())
    return list(tiles.order_by(Lower("display_label"), "pk"))


def user_may_use(*, user, application: Application) -> bool:
    """Return whether the user is active and in a group authorised for this app."""
    if not user.is_authenticated or not user.is_active:
        return False
    return application.authorized_groups.filter(members=user).exists()


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
