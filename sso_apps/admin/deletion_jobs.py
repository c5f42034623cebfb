"""Bulk-deletion jobs: their list, and a progress page that follows one without reloading."""

from django.contrib import admin
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from sso_apps.admin.base import ReadOnlyAdminMixin
from sso_apps.models import ApplicationDeletionJob

# Columns every page here reads; the selection itself (up to every app id) is never needed.
PROGRESS_FIELDS = (
    "status",
    "total",
    "done",
    "deleted",
    "error",
    "actor_email",
    "created_at",
    "started_at",
    "finished_at",
    "labels_preview",
)


def progress_payload(job: ApplicationDeletionJob) -> dict:
    """Return what the progress page shows, as JSON-ready values."""
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "total": job.total,
        "done": job.done,
        "deleted": job.deleted,
        "percent": job.percent,
        "finished": job.is_finished,
        "error": job.error,
    }


@admin.register(ApplicationDeletionJob)
class ApplicationDeletionJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: jobs are created by the Delete confirmation and run by Celery."""

    list_display = ("__str__", "status", "progress", "actor_email", "created_at", "finished_at")
    list_filter = ("status",)
    search_fields = ("actor_email",)
    raw_id_fields = ("actor",)
    list_per_page = 50
    fieldsets = (
        (None, {"fields": ("status", "total", "done", "deleted", "error")}),
        (_("Request"), {"fields": ("actor_email", "ip_address", "labels_preview")}),
        (
            _("Timing"),
            {"fields": ("created_at", "started_at", "updated_at", "finished_at")},
        ),
    )
    readonly_fields = (
        "status",
        "total",
        "done",
        "deleted",
        "error",
        "actor_email",
        "ip_address",
        "labels_preview",
        "created_at",
        "started_at",
        "updated_at",
        "finished_at",
        "summary_notified",
    )

    def get_queryset(self, request):
        # The selection can hold 10,000 ids; no page shows it, so never load it.
        return super().get_queryset(request).defer("application_ids")

    @admin.display(description=_("progress"))
    def progress(self, obj):
        return f"{obj.done} / {obj.total}"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The progress page is the job's page.
        return redirect("admin:sso_apps_applicationdeletionjob_progress", pk=object_id)

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<int:pk>/progress/",
                self.admin_site.admin_view(self.progress_view),
                name=f"{name}_progress",
            ),
            path(
                "<int:pk>/progress.json",
                self.admin_site.admin_view(self.progress_json_view),
                name=f"{name}_progress_json",
            ),
            *super().get_urls(),
        ]

    def _job(self, request, pk) -> ApplicationDeletionJob:
        if not self.has_view_permission(request):
            raise Http404
        job = self.get_queryset(request).only(*PROGRESS_FIELDS).filter(pk=pk).first()
        if job is None:
            raise Http404(_("This deletion job does not exist."))
        return job

    def progress_view(self, request, pk):
        job = self._job(request, pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Deleting applications"),
            "subtitle": str(job),
            "opts": self.opts,
            "job": job,
            "progress": progress_payload(job),
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/sso_apps/deletion_jobs/progress.html", context)

    def progress_json_view(self, request, pk):
        return JsonResponse(progress_payload(self._job(request, pk)))
