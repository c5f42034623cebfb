from django.db import models
from django.utils.translation import gettext_lazy as _


class ConnectorType(models.TextChoices):
    SAML = "saml", _("SAML")
    BOOKMARK = "bookmark", _("Bookmark")
    CUSTOM_SAML = "custom_saml", _("Custom SAML")


class ConnectorTemplate(models.Model):
    """A pre-built connector from the catalog, loaded from sso_apps/catalog/connectors/."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=150)
    type = models.CharField(_("type"), max_length=16, choices=ConnectorType.choices)
    category = models.CharField(_("category"), max_length=32, db_index=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    docs_url = models.URLField(_("vendor documentation"), max_length=500, blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    logo = models.CharField(
        _("logo"),
        max_length=200,
        blank=True,
        help_text=_("Static path of the connector's logo; empty means a colour indicator."),
    )
    color = models.CharField(_("brand colour"), max_length=7, default="#5b6b8c")
    verified = models.BooleanField(
        _("verified"),
        default=False,
        help_text=_("Whether the SAML values were confirmed from a published source."),
    )
    sources = models.JSONField(_("sources"), default=list, blank=True)
    placeholders = models.JSONField(_("placeholders"), default=list, blank=True)
    saml_defaults = models.JSONField(_("SAML defaults"), default=dict, blank=True)
    # Lower-cased name, slug, category and keywords in one column, so catalog search
    # is a single indexed-table scan however many templates there are.
    search_text = models.TextField(editable=False, default="")
    content_hash = models.CharField(max_length=64, editable=False, default="")

    class Meta:
        verbose_name = _("connector")
        verbose_name_plural = _("connector catalog")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(type__in=["saml", "bookmark", "custom_saml"]),
                name="sso_apps_connector_type_valid",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_text = " ".join(
            [self.name, self.slug, self.category, *map(str, self.keywords or [])]
        ).lower()
        super().save(*args, **kwargs)

    @property
    def initials(self) -> str:
        return initials_of(self.name)


def initials_of(label: str) -> str:
    """Return up to two initials for a colour indicator, e.g. "GoToAssist" -> "GO"."""
    words = [word for word in label.replace("-", " ").split() if word[:1].isalnum()]
    if len(words) >= 2:
        return (words[0][0] + words[1][0]).upper()
    return (words[0][:2] if words else "?").upper()
