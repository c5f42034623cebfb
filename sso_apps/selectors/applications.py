"""Reads of applications and the catalog: the admin list, search, and who may use what."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.text import slugify

from sso_apps.models import Application, ConnectorTemplate, IdpKeyPair
from sso_apps.models.catalog import ConnectorType


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


def user_may_use(*, user, application: Application) -> bool:
    """Return whether the user is active and in a group authorised for this app."""
    if not user.is_authenticated or not user.is_active:
        return False
    return application.authorized_groups.filter(members=user).exists()


def idp_suffix_suggest(label: str) -> str:
    """Return a free IdP URL suffix derived from the label: "slack", "slack-2", ..."""
    base = slugify(label)[:90] or "app"
    taken = set(
        Application.objects.filter(idp_suffix__startswith=base).values_list("idp_suffix", flat=True)
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
