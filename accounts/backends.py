from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from tessera.compiled import CompiledQuery

# NOTE: every request of a signed-in user loads their row; compiled once per process
# (tessera.compiled), since building the query cost more than running it.
_user_by_pk = CompiledQuery(
    get_user_model(),
    lambda pk: get_user_model()._default_manager.filter(pk=pk),
    slots={"pk": int},
)


class EmailBackend(ModelBackend):
    """Authenticate by email, case-insensitively; only active users get through."""

    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        identifier = email or username or kwargs.get(get_user_model().USERNAME_FIELD)
        if not identifier or password is None:
            return None
        User = get_user_model()
        try:
            user = User.objects.get_by_natural_key(identifier)
        except User.DoesNotExist:
            # Hash anyway so response time does not reveal whether the email exists.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        # ModelBackend.get_user, from the compiled query (which takes only a real pk).
        try:
            pk = get_user_model()._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        user = _user_by_pk.first(pk=pk)
        return user if user is not None and self.user_can_authenticate(user) else None
