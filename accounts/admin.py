from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import rules, selectors, services
from accounts.forms import AddToGroupForm, UserAdminChangeForm, UserAdminCreationForm
from accounts.mfa.selectors import user_mfa_factors
from accounts.mfa.services import user_mfa_reset
from accounts.models import User, UserGroup

PROTECTED_REASON = _("Only a superuser may change a superuser.")


class BlankNamedValuesFilter(admin.AllValuesFieldListFilter):
    """Django's all-values filter, with the blank value named.

    NOTE: upstream AllValuesFieldListFilter names only NULL (empty_value_display); a blank
    string becomes a filter link with no text, which screen readers announce as just "link"
    (axe link-name, serious). The link still filters on the blank value.
    """

    def choices(self, changelist):
        for choice in super().choices(changelist):
            if choice["display"] == "":
                choice = {**choice, "display": _("(blank)")}
            yield choice


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users and their Admin Portal roles; role changes go through services.user_roles_set.

    Django's UserAdmin shows is_superuser, groups and user_permissions to anyone with
    change_user, so an Administrator could make itself superuser: here each role field is
    read-only unless accounts.rules lets this actor change it on this user.
    """

    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    list_display = (
        "email",
        "username",
        "full_name",
        "department",
        "state",
        "is_staff",
        "user_groups_list",
    )
    list_filter = ("state", "is_staff", "user_groups", ("department", BlankNamedValuesFilter))
    search_fields = ("email", "username", "first_name", "last_name", "display_name", "department")
    ordering = ("email",)
    # The unfiltered total would be a second COUNT over all 100,000 users on every page.
    show_full_result_count = False
    filter_horizontal = ("groups", "user_permissions")
    actions = ("suspend_users", "activate_users", "add_to_group", "reset_mfa")
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
        (_("Two-factor authentication"), {"fields": ("mfa_factors",)}),
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
    readonly_fields = ("last_login", "date_joined", "mfa_factors")

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and rules.user_may_manage(actor=request.user, user=obj)

    def has_change_permission(self, request, obj=None):
        # Also guards Django's password view, which asks this with the user.
        allowed = super().has_change_permission(request, obj)
        return allowed and rules.user_may_manage(actor=request.user, user=obj)

    def has_delete_permission(self, request, obj=None):
        # Also asked per row by the bulk delete action's confirmation.
        allowed = super().has_delete_permission(request, obj)
        return allowed and rules.user_may_manage(actor=request.user, user=obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        editable = rules.user_role_fields_editable(actor=request.user, user=obj)
        locked = tuple(field for field in rules.ROLE_FIELDS if field not in editable)
        return (*self.readonly_fields, *locked)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        # get_form builds a new class on every call, so these belong to this request only.
        form.actor, form.request = request.user, request
        return form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        self._refuse_protected(request, object_id)
        if request.method == "POST":
            self._refuse_tampered_roles(request, object_id)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._refuse_protected(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._refuse_protected(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def user_change_password(self, request, id, form_url=""):
        self._refuse_protected(request, id)
        return super().user_change_password(request, id, form_url)

    def _refuse_protected(self, request, object_id):
        """Answer 403 with a reason, and audit it, when a non-superuser targets a superuser."""
        user = self.get_object(request, unquote(object_id)) if object_id else None
        if user is not None and not rules.user_may_manage(actor=request.user, user=user):
            services.user_change_refused_report(
                actor=request.user,
                user=user,
                reason=str(PROTECTED_REASON),
                attempted={"method": request.method, "path": request.path[:300]},
                request=request,
            )
            raise PermissionDenied(PROTECTED_REASON)

    def _refuse_tampered_roles(self, request, object_id):
        """Refuse a POST carrying role fields that this actor's form does not show."""
        user = self.get_object(request, unquote(object_id)) if object_id else None
        editable = rules.user_role_fields_editable(actor=request.user, user=user)
        forbidden = [f for f in rules.ROLE_FIELDS if f in request.POST and f not in editable]
        if not forbidden:
            return
        reason = _("You may not change these fields: %s.") % ", ".join(forbidden)
        if user is not None:
            services.user_change_refused_report(
                actor=request.user,
                user=user,
                reason=str(reason),
                attempted={field: request.POST.getlist(field) for field in forbidden},
                request=request,
            )
        raise PermissionDenied(reason)

    def save_model(self, request, obj, form, change):
        if change:
            # Roles are written by the service in save_related, which checks and audits them.
            stored = User.objects.only("is_superuser", "is_staff").get(pk=obj.pk)
            obj.is_superuser, obj.is_staff = stored.is_superuser, stored.is_staff
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        roles = {
            field: form.cleaned_data.pop(field)
            for field in rules.ROLE_FIELDS
            if field in form.cleaned_data
        }
        super().save_related(request, form, formsets, change)
        if change and roles:
            services.user_roles_set(
                actor=request.user, user=form.instance, request=request, **roles
            )

    def get_queryset(self, request):
        # The user groups column would otherwise cost one query per row.
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

    @admin.display(description=_("factors"))
    def mfa_factors(self, obj):
        # Names, types and times only: no secret of any factor ever reaches this page.
        return render_to_string(
            "admin/accounts/user/mfa_factors.html", {"factors": user_mfa_factors(user=obj)}
        )

    @admin.display(description=_("user groups"))
    def user_groups_list(self, obj):
        return ", ".join(group.name for group in obj.user_groups.all()) or "—"

    def _changeable(self, request, queryset, attempted):
        """Return the selected users this actor may change; skip, report and audit the rest."""
        allowed = rules.users_manageable_by(actor=request.user, users=queryset)
        skipped = list(queryset.exclude(pk__in=allowed.values("pk")))
        for user in skipped:
            services.user_change_refused_report(
                actor=request.user,
                user=user,
                reason=str(PROTECTED_REASON),
                attempted=attempted,
                request=request,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "Skipped %(count)d superuser: %(reason)s",
                    "Skipped %(count)d superusers: %(reason)s",
                    len(skipped),
                )
                % {"count": len(skipped), "reason": PROTECTED_REASON},
                messages.WARNING,
            )
        return allowed

    @admin.action(description=_("Suspend selected users"), permissions=["change"])
    def suspend_users(self, request, queryset):
        queryset = self._changeable(request, queryset, {"state": User.State.SUSPENDED})
        count = services.users_set_state(users=queryset, state=User.State.SUSPENDED)
        self.message_user(
            request, ngettext("%d user suspended.", "%d users suspended.", count) % count
        )

    @admin.action(description=_("Activate selected users"), permissions=["change"])
    def activate_users(self, request, queryset):
        queryset = self._changeable(request, queryset, {"state": User.State.ACTIVE})
        count = services.users_set_state(users=queryset, state=User.State.ACTIVE)
        self.message_user(
            request, ngettext("%d user activated.", "%d users activated.", count) % count
        )

    @admin.action(description=_("Add selected users to a group"), permissions=["change"])
    def add_to_group(self, request, queryset):
        form = AddToGroupForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            group = form.cleaned_data["group"]
            queryset = self._changeable(request, queryset, {"user_groups": [group.name]})
            services.group_members_add(group=group, users=queryset)
            count = queryset.count()
            self.message_user(
                request,
                ngettext(
                    "Added %(count)d user to %(group)s.",
                    "Added %(count)d users to %(group)s.",
                    count,
                )
                % {"count": count, "group": group},
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

    @admin.action(
        description=_("Reset two-factor authentication of selected users"),
        permissions=["change"],
    )
    def reset_mfa(self, request, queryset):
        queryset = self._changeable(request, queryset, {"mfa": "reset"})
        users = list(queryset)
        for user in users:
            user_mfa_reset(user=user, actor=request.user, request=request)
        self.message_user(
            request,
            ngettext(
                "Removed every factor of %d user; they enrol again at their next sign-in "
                "if a policy requires MFA.",
                "Removed every factor of %d users; they enrol again at their next sign-in "
                "if a policy requires MFA.",
                len(users),
            )
            % len(users),
            messages.SUCCESS,
        )


@admin.register(UserGroup)
class UserGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "description", "mfa_required", "member_count")
    list_filter = ("mfa_required",)
    search_fields = ("name", "description")
    autocomplete_fields = ("members",)
    fieldsets = ((None, {"fields": ("name", "description", "mfa_required", "members")}),)

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
