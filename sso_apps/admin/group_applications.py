"""The user group's Applications tab, added to the directory's UserGroup admin from here.

accounts knows nothing of applications, so sso_apps extends accounts' UserGroupAdmin
with the tab and registers the extended admin in its place.
"""

from django.contrib import admin
from django.db.models import Q
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from accounts.admin import UserGroupAdmin
from accounts.models import UserGroup
from sso_apps.admin.base import SelectionPageView
from sso_apps.admin.display import status_badge
from sso_apps.models import Application
from sso_apps.services.applications import group_applications_set


class GroupApplicationsView(SelectionPageView):
    """The group's Applications tab: the same authorisation as an app's User Groups tab."""

    template_name = "admin/accounts/usergroup/applications.html"
    columns = (_("Application"), _("Connector"), _("Status"))
    saved_message = ngettext_lazy(
        "Applications saved: this group may use %(count)d application.",
        "Applications saved: this group may use %(count)d applications.",
        "count",
    )

    @property
    def title(self):
        return _("%(group)s · Applications") % {"group": self.object}

    def has_permission(self, name, obj=None):
        allowed = super().has_permission(name, obj)
        if name == "view":
            return allowed and self.request.user.has_perm("sso_apps.view_application")
        # Writing here changes applications' access, so it needs both change rights.
        return allowed and self.request.user.has_perm("sso_apps.change_application")

    def candidates(self):
        return Application.objects.select_related("connector").order_by("display_label", "pk")

    def search(self, queryset, query):
        return queryset.filter(
            Q(display_label__icontains=query) | Q(connector__name__icontains=query)
        )

    def current_ids(self):
        return set(self.object.applications.values_list("pk", flat=True))

    def cells(self, application):
        return [application.display_label, application.connector.name, status_badge(application)]

    def save(self, selected):
        group_applications_set(group=self.object, applications=list(selected), request=self.request)


class UserGroupWithApplicationsAdmin(UserGroupAdmin):
    """The directory's UserGroup admin plus the group's Applications tab."""

    def get_urls(self):
        applications = self.admin_site.admin_view(GroupApplicationsView.as_view(model_admin=self))
        return [
            path(
                "<int:pk>/applications/",
                applications,
                name="accounts_usergroup_applications",
            ),
            *super().get_urls(),
        ]


# NOTE: replacing a registration is the one way to extend another app's ModelAdmin
# without that app importing ours; importing accounts.admin above has registered it.
admin.site.unregister(UserGroup)
admin.site.register(UserGroup, UserGroupWithApplicationsAdmin)
