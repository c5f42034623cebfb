"""Building blocks for Admin Portal pages that are not a plain change form."""

from abc import ABC, abstractmethod

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from sso_apps.forms.selection import PageSelectionForm

# The one place the Admin Portal's own stylesheet and script are named.
SSO_STYLES = forms.Media(css={"all": ["sso_apps/admin.css"]})
SSO_MEDIA = SSO_STYLES + forms.Media(js=["sso_apps/admin.js"])


class SsoMediaMixin:
    """Add our stylesheet and script (`sso_media`) to a ModelAdmin's own media."""

    sso_media = SSO_MEDIA

    @property
    def media(self):
        return super().media + self.sso_media


class AdminPageView(View):
    """A page of one ModelAdmin, about one of its objects, behind its permissions.

    GET needs `get_permission` and POST needs `post_permission` ("view", "add",
    "change" or "delete"); a refusal is always a 403, never a redirect.
    """

    model_admin = None
    http_method_names = ["get", "post", "head"]
    get_permission = "view"
    post_permission = "change"
    title = ""

    def dispatch(self, request, *args, **kwargs):
        self.object = self.get_object(**kwargs)
        needed = self.post_permission if request.method == "POST" else self.get_permission
        if not self.has_permission(needed):
            raise PermissionDenied(_("Your role cannot make this change."))
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        return self.model_admin.model._default_manager.all()

    def get_object(self, pk=None, **kwargs):
        if pk is None:
            return None
        return get_object_or_404(self.get_queryset(), pk=pk)

    def has_permission(self, name: str, obj=None) -> bool:
        admin, request = self.model_admin, self.request
        obj = obj if obj is not None else self.object
        if name == "view":
            return admin.has_view_or_change_permission(request, obj)
        if name == "add":
            return admin.has_add_permission(request)
        return getattr(admin, f"has_{name}_permission")(request, obj)

    def get_context(self, **extra) -> dict:
        admin = self.model_admin
        return {
            **admin.admin_site.each_context(self.request),
            "opts": admin.opts,
            "original": self.object,
            "title": self.title,
            "media": admin.media + SSO_MEDIA,
            "can_change": self.object is not None and self.has_permission("change"),
            "has_view_permission": True,
            **extra,
        }

    def render(self, template: str, *, status: int = 200, **extra) -> TemplateResponse:
        return TemplateResponse(self.request, template, self.get_context(**extra), status=status)


class ReadOnlyAdminMixin:
    """No add, change or delete for anyone, superusers included: rows written elsewhere."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SelectionPageView(AdminPageView, ABC):
    """Tick boxes over a searchable list, 100 rows a page, saved through one service."""

    per_page = 100
    template_name = ""
    columns: tuple[str, ...] = ()
    saved_message = ""

    @abstractmethod
    def candidates(self) -> QuerySet: ...

    @abstractmethod
    def search(self, queryset: QuerySet, query: str) -> QuerySet: ...

    @abstractmethod
    def current_ids(self) -> set[int]: ...

    @abstractmethod
    def cells(self, row) -> list: ...

    @abstractmethod
    def save(self, selected: QuerySet) -> None: ...

    def get(self, request, *args, **kwargs):
        query = request.GET.get("q", "").strip()[:100]
        rows = self.candidates()
        if query:
            rows = self.search(rows, query)
        page = Paginator(rows, self.per_page).get_page(request.GET.get("p"))
        current = self.current_ids()
        rows = [
            {"pk": row.pk, "checked": row.pk in current, "cells": self.cells(row)}
            for row in page.object_list
        ]
        return self.render(
            self.template_name,
            query=query,
            page=page,
            columns=self.columns,
            selected_count=len(current),
            # The script recounts the total as boxes are ticked: the rows selected on
            # other pages plus those ticked on this one, worded by these two forms.
            selected_elsewhere=len(current) - sum(row["checked"] for row in rows),
            selected_forms=[
                ngettext("%(count)s selected in total.", "%(count)s selected in total.", n)
                % {"count": "__count__"}
                for n in (1, 2)
            ],
            rows=rows,
        )

    def post(self, request, *args, **kwargs):
        form = PageSelectionForm(request.POST, queryset=self.candidates())
        if not form.is_valid():
            for error in form.non_field_errors() or [_("The selection could not be read.")]:
                messages.error(request, error)
            return HttpResponseRedirect(request.get_full_path())
        selected = form.selection(self.current_ids())
        self.save(self.candidates().filter(pk__in=selected))
        messages.success(request, self.saved_message % {"count": len(selected)})
        return HttpResponseRedirect(request.get_full_path())
