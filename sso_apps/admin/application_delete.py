"""Delete Application: the typed-count confirmation, then an inline delete or a bulk job."""

from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sso_apps.admin.display import application_logo
from sso_apps.admin.feedback import with_notification
from sso_apps.forms.applications import ApplicationDeleteForm
from sso_apps.forms.errors import form_add_service_error
from sso_apps.models import Application
from sso_apps.services.deletion_jobs import DeletionRequestOutcome, applications_delete_request
from sso_apps.services.notifications import NotificationWatch, notifications_watch


class DeleteConfirmation:
    """Ask for the typed count of `applications`, then delete them and go to `done_url`.

    Shared by the list's Delete action and the Delete link of one application
    (`single`), which differ only in wording and where they return to.
    """

    template_name = "admin/sso_apps/application/delete_confirmation.html"

    def __init__(self, model_admin, request, applications: list[Application], *, single: bool):
        self.model_admin = model_admin
        self.request = request
        self.applications = applications
        self.single = single

    def respond(self, *, done_url: str, cancel_url: str) -> HttpResponse:
        """Return the confirmation page, or delete and return where to go next."""
        post = self.request.POST
        form = ApplicationDeleteForm(post if "confirm" in post else None)
        if form.is_bound and form.is_valid():
            try:
                with notifications_watch() as watch:
                    outcome = applications_delete_request(
                        application_ids=[application.pk for application in self.applications],
                        confirmation_count=form.cleaned_data["confirmation_count"],
                        request=self.request,
                    )
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                return self.deleted(outcome, watch, done_url=done_url)
        return self.page(form, cancel_url=cancel_url)

    def deleted(
        self, outcome: DeletionRequestOutcome, watch: NotificationWatch, *, done_url: str
    ) -> HttpResponse:
        """Say what happened; a queued job's page shows its progress."""
        count = outcome.count
        if outcome.is_queued:
            # Above SSO_APPS_BULK_DELETE_THRESHOLD the deletion runs as a Celery job.
            message = ngettext(
                "Deleting %(count)d application in the background. You will get a "
                "notification when it is done.",
                "Deleting %(count)d applications in the background. You will get a "
                "notification when it is done.",
                count,
            ) % {"count": count}
            self.model_admin.message_user(self.request, message, messages.SUCCESS)
            return HttpResponseRedirect(outcome.job.get_absolute_url())
        message = with_notification(
            ngettext("Deleted %(count)d application.", "Deleted %(count)d applications.", count)
            % {"count": count},
            watch,
        )
        self.model_admin.message_user(self.request, message, messages.SUCCESS)
        return HttpResponseRedirect(done_url)

    def page(self, form: ApplicationDeleteForm, *, cancel_url: str) -> TemplateResponse:
        """Render the list of doomed applications above the typed-count field."""
        admin = self.model_admin
        context = {
            **admin.admin_site.each_context(self.request),
            "title": _("Delete Application"),
            "opts": admin.opts,
            "media": admin.media,
            "applications": [
                {"app": app, "logo": application_logo(app, size=28)} for app in self.applications
            ],
            "count": len(self.applications),
            "form": form,
            "single": self.single,
            "cancel_url": cancel_url,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(self.request, self.template_name, context)
