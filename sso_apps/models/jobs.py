from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


class ApplicationDeletionJob(models.Model):
    """A bulk deletion of applications that runs in the background, batch by batch.

    The selection is fixed when the admin confirms; the job deletes nothing else. `done`
    counts the selection entries processed, in order, so a new run resumes after the
    last committed batch.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    actor_email = models.CharField(_("requested by"), max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(_("IP"), null=True, blank=True)
    application_ids = models.JSONField(
        _("selection"),
        default=list,
        editable=False,
        help_text=_("Ids of the applications to delete, ascending; never changed."),
    )
    labels_preview = models.JSONField(
        _("applications"),
        default=list,
        editable=False,
        help_text=_("The first few display labels of the selection, for the summary."),
    )
    total = models.PositiveIntegerField(_("total"))
    done = models.PositiveIntegerField(
        _("processed"), default=0, help_text=_("Selection entries processed so far.")
    )
    deleted = models.PositiveIntegerField(
        _("deleted"),
        default=0,
        help_text=_("Applications deleted; fewer than processed if some were already gone."),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    error = models.TextField(_("error"), blank=True)
    summary_notified = models.BooleanField(
        _("summary sent"),
        default=False,
        help_text=_("Set in the transaction that writes the one summary notification."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("last progress"), auto_now=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("application deletion job")
        verbose_name_plural = _("application deletion jobs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(done__lte=models.F("total")),
                name="sso_apps_deletion_job_done_le_total",
            ),
            models.CheckConstraint(
                condition=models.Q(deleted__lte=models.F("done")),
                name="sso_apps_deletion_job_deleted_le_done",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "running", "done", "failed"]),
                name="sso_apps_deletion_job_status_valid",
            ),
        ]

    def __str__(self):
        return ngettext(
            "Deletion of %(total)d application (#%(pk)s)",
            "Deletion of %(total)d applications (#%(pk)s)",
            self.total,
        ) % {
            "total": self.total,
            "pk": self.pk,
        }

    def get_absolute_url(self):
        return reverse("admin:sso_apps_applicationdeletionjob_progress", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(self.done * 100 / self.total)
