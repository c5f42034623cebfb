"""The index page's Recent actions, fed from our audit events instead of Django's LogEntry.

Our app pages (SSO tab, activation, User Groups, deletion) write AuditEvents, not admin
LogEntries, so Django's own box read "None available" after a day of changes.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from sso_apps.models import AuditEvent
from sso_apps.selectors.audit import audit_events_recent_admin_actions

# What each action did, in the words of the product; unknown ones show their code.
VERBS = {
    "application.create": (_("Added"), "add"),
    "application.update": (_("Changed details of"), "change"),
    "application.sso_update": (_("Changed SSO settings of"), "change"),
    "application.activate": (_("Activated SSO for"), "change"),
    "application.deactivate": (_("Deactivated SSO for"), "change"),
    "application.groups_set": (_("Changed user groups of"), "change"),
    "application.key_pair_generate": (_("Regenerated the certificate of"), "change"),
    "application.key_pair_upload": (_("Uploaded a key pair for"), "change"),
    "application.sp_metadata_url_set": (_("Set the SP metadata URL of"), "change"),
    "application.sp_metadata_url_remove": (_("Removed the SP metadata URL of"), "change"),
    "application.sp_metadata_refresh": (_("Refreshed SP metadata of"), "change"),
    "application.delete": (_("Deleted"), "delete"),
    "application.delete_job": (_("Started deleting applications"), "delete"),
    "group.applications_set": (_("Changed applications of"), "change"),
    "user.roles_change": (_("Changed admin roles of"), "change"),
    "mfa.reset": (_("Reset the factors of"), "change"),
}


@dataclass(frozen=True)
class RecentAction:
    verb: str
    kind: str  # "add", "change" or "delete": Django's addlink/changelink/deletelink icons
    label: str
    type_name: str
    url: str | None
    time: datetime


def recent_actions(*, user, request=None, limit: int = 10) -> list[RecentAction]:
    """Return the user's latest changes, each linked to its object while that still exists."""
    events = list(audit_events_recent_admin_actions(user=user, limit=limit))
    urls = _change_urls(events, request)
    actions = []
    for event in events:
        verb, kind = VERBS.get(event.action, (event.action, "change"))
        model = _model(event.target_type)
        actions.append(
            RecentAction(
                verb=str(verb),
                kind=kind,
                label=event.target_label,
                type_name=str(model._meta.verbose_name).capitalize() if model else "",
                url=urls.get((event.target_type, event.target_id)),
                time=event.created_at,
            )
        )
    return actions


def _model(label: str):
    try:
        return apps.get_model(label) if label else None
    except (LookupError, ValueError):
        return None


def _change_urls(events: list[AuditEvent], request) -> dict[tuple[str, str], str]:
    """Map (target type, id) to the change page of each target that still exists.

    One query per model named, however many events: ids are checked in bulk.
    """
    wanted = defaultdict(set)
    for event in events:
        if event.target_id.isdigit():
            wanted[event.target_type].add(int(event.target_id))
    urls = {}
    for label, ids in wanted.items():
        model = _model(label)
        if model is None or not admin.site.is_registered(model):
            continue
        model_admin = admin.site.get_model_admin(model)
        if request is not None and not model_admin.has_view_or_change_permission(request):
            continue
        existing = model._default_manager.filter(pk__in=ids).values_list("pk", flat=True)
        opts = model._meta
        for pk in existing:
            try:
                urls[(label, str(pk))] = reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk]
                )
            except NoReverseMatch:
                break
    return urls
