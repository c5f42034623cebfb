"""Reads of applications and the catalog: the admin list, search, and who may use what."""

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, Lower
from django.utils.text import slugify

from sso_apps.models import Application, ConnectorTemplate, IdpKeyPair
from sso_apps.models.catalog import ConnectorType
from tessera.search import distinct_column_values, search_words


def connector_search(*, query: str = "") -> QuerySet[ConnectorTemplate]:
    """Return templates matching every word of the query in name, slug, category or keywords."""
    templates = ConnectorTemplate.objects.only(
        "slug", "name", "type", "category", "description", "logo", "color", "verified"
    )
    for word in query.lower().split():
        templates = templates.filter(search_text__contains=word)
    return templates.order_by("name")


def application_search(
    *, queryset: QuerySet[Application], term: str, status_words: dict[str, Q]
) -> QuerySet[Application]:
    """Return the apps where every word is in the label, the connector's name or a status.

    The label is matched through the trigram index sso_apps_app_label_trgm (migration
    0014) and the connector by the ids of the matching templates, so PostgreSQL ORs two
    index lookups instead of joining and scanning every app.
    """
    queryset = queryset.alias(label_ci=Lower("display_label"))
    for word in search_words(term):
        # NOTE: one query per word for the ids, not a subquery: PostgreSQL can only
        # test an IN (subquery) row by row, which made it read every app.
        connectors = list(
            ConnectorTemplate.objects.filter(name__icontains=word).values_list("pk", flat=True)
        )
        matches = Q(label_ci__contains=word) | Q(connector_id__in=connectors)
        status = status_words.get(word)
        if status is not None:
            matches |= status
        queryset = queryset.filter(matches)
    return queryset


def application_connector_ids() -> list[int]:
    """Return the ids of the connectors some app uses, off the connector_id index."""
    return distinct_column_values(Application.objects.all(), "connector")


def application_list() -> QuerySet[Application]:
    """Return apps with what the list shows, in a fixed number of queries for any count.

    The groups column is a correlated subquery, not Count() over a join: a join's GROUP BY
    made PostgreSQL aggregate and sort every app before cutting the page of 50, while
    the subquery runs for the 50 rows only and the (display_label, id) index gives the
    order (migration 0009_application_label_index).
    """
    links = Application.authorized_groups.through.objects.filter(application_id=OuterRef("pk"))
    groups_count = Coalesce(
        Subquery(
            links.order_by().values("application_id").annotate(n=Count("*")).values("n"),
            output_field=IntegerField(),
        ),
        0,
    )
    return (
        Application.objects.select_related("connector")
        .annotate(groups_count=groups_count)
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


def applications_with_label(*, label: str, exclude_pk: int | None = None) -> QuerySet[Application]:
    """Return the other apps whose Display Label equals `label` (ignoring case), by suffix."""
    return (
        Application.objects.filter(display_label__iexact=label.strip())
        .exclude(pk=exclude_pk)
        .order_by("idp_suffix")
        .only("idp_suffix", "display_label")
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
