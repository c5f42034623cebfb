"""SSO tab → Preview assertion: what a chosen user's Assertion would say, sent nowhere."""

from django.utils.translation import gettext as _

from sso_apps.admin.application_sso import SsoTabView
from sso_apps.forms.preview import PreviewUserForm
from sso_apps.idp.preview import assertion_preview


class AssertionPreviewView(SsoTabView):
    """Show the Assertion a user would receive, or why the IdP would refuse them."""

    http_method_names = ["get", "head"]

    @property
    def title(self):
        return _("%(app)s · Preview assertion") % {"app": self.object}

    def get(self, request, pk):
        form = PreviewUserForm(request.GET or None)
        matches, preview = [], None
        if form.is_valid():
            matches = form.matches()
            user = form.chosen(matches)
            if user is not None:
                preview = assertion_preview(request=request, application=self.object, user=user)
        return self.render(
            "admin/sso_apps/application/preview.html",
            form=form,
            matches=matches,
            preview=preview,
        )
