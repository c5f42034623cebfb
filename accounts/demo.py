"""Demo directory data for the one-command start and for scale tests."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from accounts import services
from accounts.models import User, UserGroup
from accounts.roles import ADMINISTRATOR, READ_ONLY

DEMO_GROUPS = {
    "Engineering": "Builds and runs the product.",
    "Sales": "Customer-facing sales team.",
    "Support": "Customer support and success.",
    "Finance": "Finance and accounting.",
}
FIRST_NAMES = [
    "Ada",
    "Grace",
    "Linus",
    "Margaret",
    "Alan",
    "Barbara",
    "Ken",
    "Radia",
    "Dennis",
    "Frances",
    "Edsger",
    "Hedy",
    "Tim",
    "Katherine",
    "Guido",
    "Anita",
    "Donald",
    "Shafi",
    "Vint",
    "Joan",
]
LAST_NAMES = [
    "Lovelace",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Turing",
    "Liskov",
    "Thompson",
    "Perlman",
    "Ritchie",
    "Allen",
    "Dijkstra",
    "Lamarr",
    "Berners-Lee",
    "Johnson",
    "van Rossum",
    "Borg",
    "Knuth",
    "Goldwasser",
    "Cerf",
    "Clarke",
]


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    role: str


@transaction.atomic
def demo_directory_seed(*, password: str) -> list[DemoAccount]:
    """Create (or bring back to their demo state) the demo admins, groups and users."""
    admin = _demo_user("admin@example.com", "admin", "Avery", "Admin", password, staff=True)
    admin.groups.add(Group.objects.get(name=ADMINISTRATOR))
    auditor = _demo_user("auditor@example.com", "auditor", "Riley", "Reader", password, staff=True)
    auditor.groups.add(Group.objects.get(name=READ_ONLY))

    groups = [
        UserGroup.objects.get_or_create(name=name, defaults={"description": description})[0]
        for name, description in DEMO_GROUPS.items()
    ]
    for index, (first, last) in enumerate(zip(FIRST_NAMES, LAST_NAMES, strict=True)):
        username = f"{first}.{last}".lower().replace(" ", "").replace("-", "")
        user = _demo_user(f"{username}@example.com", username, first, last, password)
        group = groups[index % len(groups)]
        user.department = group.name
        user.save(update_fields=["department"])
        services.group_members_add(group=group, users=[user])
    return [
        DemoAccount(admin.email, password, "Administrator (Admin Portal)"),
        DemoAccount(auditor.email, password, "Read Only (Admin Portal)"),
        DemoAccount("ada.lovelace@example.com", password, "End user (User Console)"),
    ]


def _demo_user(email, username, first, last, password, *, staff=False):
    user = User.objects.filter(email=email).first()
    if user is None:
        return services.user_create(
            email=email,
            username=username,
            password=password,
            first_name=first,
            last_name=last,
            is_staff=staff,
        )
    user.set_password(password)
    user.state = User.State.ACTIVE
    user.save(update_fields=["password", "state"])
    return user


def demo_users_generate(
    *,
    count: int,
    password: str,
    batch_size: int = 5000,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Add `count` synthetic users (scale tests), skipping ones that exist; return how many.

    `on_batch` is told how many of the `count` each finished batch covered.
    """
    # One hash for all: hashing 100,000 passwords one by one would take hours with Argon2.
    password_hash = make_password(password)
    existing = set(
        User.objects.filter(username__startswith="scale").values_list("username", flat=True)
    )
    created = 0
    for start in range(0, count, batch_size):
        batch = []
        numbers = range(start, min(start + batch_size, count))
        for number in numbers:
            username = f"scale{number:07d}"
            if username in existing:
                continue
            batch.append(
                User(
                    email=f"{username}@scale.example.com",
                    username=username,
                    first_name="Scale",
                    last_name=f"User {number}",
                    department=list(DEMO_GROUPS)[number % len(DEMO_GROUPS)],
                    password=password_hash,
                )
            )
        User.objects.bulk_create(batch, batch_size=1000)
        created += len(batch)
        if on_batch is not None:
            on_batch(len(numbers))
    return created
