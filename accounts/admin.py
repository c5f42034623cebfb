from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Prefetch, Q
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import selectors, services
from accounts.forms import AddToGroupForm, UserAdminChangeForm, UserAdminCreationForm
from accounts.models import User, UserGroup
from sso_apps.admin.base import SelectionPageView
from sso_apps.admin.display import status_badge
from sso_apps.models import Application
from sso_apps.services.applications import group_applications_set


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    list_display = ("email", "username", "full_name", "department", "state", "is_staff", "groups")
    list_filter = ("state", "is_staff", "user_groups", "department")
    search_fields = ("email", "username", "first_name", "last_name", "display_name", "department")
    ordering = ("email",)
    filter_horizontal = ("groups", "user_permissions")
    actions = ("suspend_users", "activate_users", "add_to_group")
    fieldsets = (
        (None, {"fields": ("email", "username", "password")}),
        (
            _("Personal info"),
            {"fields": ("first_name", "last_name", "display_name")},
        ),
        (_("Organisation"), {"fields": ("department", "job_title", "employee_id")}),
        (_("State"), {"fields": ("state",)}),
        (
            _("Admin Portal roles"),
            {
                "classes": ("collapse",),
                "fields": ("is_staff", "is_superuser", "groups", "user_permissions"),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "username",
                    "first_name",
                    "last_name",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")

    def get_queryset(self, request):
        # The groups column would otherwise cost one query per row.
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("user_groups", queryset=UserGroup.objects.only("name")))
        )

    def get_search_results(self, request, queryset, search_term):
        # The group members autocomplete asks with a prefix; keep it index-friendly
        # and fast with 100,000 users instead of scanning every row with LIKE '%x%'.
        if request.path.endswith("/autocomplete/"):
            return queryset & selectors.user_autocomplete(term=search_term), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("name"))
    def full_name(self, obj):
        return obj.get_full_name()

    @admin.display(description=_("user groups"))
    def groups(self, obj):
        return ", ".join(group.name for group in obj.user_groups.all()) or "—"

    @admin.action(description=_("Suspend selected users"), permissions=["change"])
    def suspend_users(self, request, queryset):
        count = services.users_set_state(users=queryset, state=User.State.SUSPENDED)
        self.message_user(
            request, ngettext("%d user suspended.", "%d users suspended.", count) % count
        )

    @admin.action(description=_("Activate selected users"), permissions=["change"])
    def activate_users(self, request, queryset):
        count = services.users_set_state(users=queryset, state=User.State.ACTIVE)
        self.message_user(
            request, ngettext("%d user activated.", "%d users activated.", count) % count
        )

    @admin.action(description=_("Add selected users to a group"), permissions=["change"])
    def add_to_group(self, request, queryset):
        form = AddToGroupForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            group = form.cleaned_data["group"]
            services.group_members_add(group=group, users=queryset)
            self.message_user(
                request,
                _("Added %(count)d users to %(group)s.")
                % {"count": queryset.count(), "group": group},
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "admin/accounts/user/add_to_group.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Add users to a group"),
                "form": form,
                "users": queryset,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


class GroupApplicationsView(SelectionPageView):
    """The group's Applications tab: the same authorisation as an app's User Groups tab."""

    template_name = "admin/accounts/usergroup/applications.html"
    columns = (_("Application"), _("Connector"), _("Status"))
    saved_message = _("Applications saved: this group may use %(count)d applications.")

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


@admin.register(UserGroup)
class UserGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "description", "member_count")
    search_fields = ("name", "description")
    autocomplete_fields = ("members",)
    fieldsets = ((None, {"fields": ("name", "description", "members")}),)

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

    def get_queryset(self, request):
        # One aggregate query instead of a COUNT per row for the member column.
        return selectors.user_groups_with_member_count()

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, obj):
        return obj.member_count

    def save_related(self, request, form, formsets, change):
        # Membership changes go through the services, like every other write.
        members = form.cleaned_data.pop("members", None)
        form.save_m2m()
        if members is not None:
            group = form.instance
            current = set(group.members.values_list("pk", flat=True))
            wanted = {user.pk for user in members}
            services.group_members_remove(
                group=group, users=User.objects.filter(pk__in=current - wanted)
            )
            services.group_members_add(
                group=group, users=User.objects.filter(pk__in=wanted - current)
            )
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
