from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import PermissionsMixin
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.managers import UserManager


class User(AbstractBaseUser, PermissionsMixin):
    """A person in the directory: signs in with their email, uses SSO while active."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        STAGED = "staged", _("Staged")

    email = models.EmailField(
        _("email"), unique=True, help_text=_("Used to sign in; matched case-insensitively.")
    )
    username = models.CharField(
        _("username"),
        max_length=150,
        unique=True,
        validators=[UnicodeUsernameValidator()],
        help_text=_("150 characters or fewer. Letters, digits and @/./+/-/_ only."),
    )
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    display_name = models.CharField(
        _("display name"),
        max_length=150,
        blank=True,
        help_text=_("Shown instead of the full name."),
    )
    department = models.CharField(_("department"), max_length=150, blank=True, db_index=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    employee_id = models.CharField(_("employee ID"), max_length=64, blank=True)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=State.choices,
        default=State.ACTIVE,
        db_index=True,
        help_text=_("Suspended and staged users cannot sign in or use SSO; their data is kept."),
    )
    is_staff = models.BooleanField(
        _("admin portal access"),
        default=False,
        help_text=_("Whether the user can sign in to the Admin Portal."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["username"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        indexes = [
            # For the prefix autocomplete (accounts.selectors.user_autocomplete).
            models.Index(Lower("username"), name="accounts_user_username_ci"),
            models.Index(Lower("first_name"), name="accounts_user_first_name_ci"),
            models.Index(Lower("last_name"), name="accounts_user_last_name_ci"),
        ]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(state__in=["active", "suspended", "staged"]),
                name="accounts_user_state_valid",
            ),
        ]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email)

    @property
    def is_active(self):
        """Only active users may authenticate; Django's backends and sessions honour this."""
        return self.state == self.State.ACTIVE

    def get_full_name(self):
        return self.display_name or f"{self.first_name} {self.last_name}".strip() or self.email

    def get_short_name(self):
        return self.first_name or self.display_name or self.email


class UserGroup(models.Model):
    """A directory group of users; applications are authorised to groups, never to users."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(
        User,
        related_name="user_groups",
        blank=True,
        verbose_name=_("members"),
        help_text=_("Users in this group get every application authorised for it."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    mfa_required = models.BooleanField(
        _("MFA required"),
        default=False,
        help_text=_(
            "Members must sign in with a second factor; those without one enrol right "
            "after their password."
        ),
    )

    class Meta:
        verbose_name = _("user group")
        verbose_name_plural = _("user groups")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="accounts_usergroup_name_ci_unique"),
        ]

    def __str__(self):
        return self.name


class UserSession(models.Model):
    """A signed-in session of a user, so Single Logout can end it from another request.

    An SP's LogoutRequest arrives cross-site, without the user's session cookie
    (SameSite=Lax); the IdP finds the user's sessions here instead.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="signed_in_sessions")
    session_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("user session")

    def __str__(self):
        return f"{self.user} session"


# NOTE: a module of its own, so the models package stays a list of tables; imported here so
# Django registers its models under the accounts app.
from accounts.models.recovery_codes import RecoveryCode, RecoveryCodeDevice  # noqa: E402

__all__ = ["RecoveryCode", "RecoveryCodeDevice", "User", "UserGroup", "UserSession"]
