import factory
from django.contrib.auth.models import Group

from accounts.models import User, UserGroup
from accounts.roles import ADMINISTRATOR, READ_ONLY

DEFAULT_PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    state = User.State.ACTIVE
    password = factory.django.Password(DEFAULT_PASSWORD)


class UserGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserGroup
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Group {n}")

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.add(*extracted)


def admin_with_role(role: str, **kwargs) -> User:
    """Return a staff user holding one of the ready-made Admin Portal roles."""
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user


ROLES = {"administrator": ADMINISTRATOR, "read_only": READ_ONLY}
