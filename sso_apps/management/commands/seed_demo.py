from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from accounts.demo import demo_directory_seed, demo_users_generate
from accounts.models import UserGroup
from sso_apps.demo import TESTER_LABEL, demo_saml_tester_seed

# The demo group the tester's application is authorised for (ada.lovelace is in it).
TESTER_GROUP = "Engineering"


class _Unterminated:
    """A command's stdout for rich, which writes its own line ends and redraws."""

    def __init__(self, out: OutputWrapper):
        self.out = out

    def write(self, text: str) -> int:
        # OutputWrapper would end every one of rich's partial redraws with a newline.
        self.out.write(text, ending="")
        return len(text)

    def flush(self) -> None:
        self.out.flush()

    def isatty(self) -> bool:
        return self.out.isatty()


class Command(BaseCommand):
    # NOTE: here in sso_apps, not accounts: accounts is the directory and may not import
    # sso_apps, and the demo includes an SSO application.
    help = (
        "Create demo admins, groups, users and the SAML Tester application (idempotent). "
        "--users N adds N more for scale."
    )

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=0, help="Also generate N synthetic users.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Allow running with DEBUG off (never in production).",
        )

    def handle(self, *args, users, force, no_color=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo sets well-known passwords; it runs only with DEBUG on.")
        password = settings.TESSERA_DEMO_PASSWORD
        accounts = demo_directory_seed(password=password)
        if users:
            created = self._users_generate(users, password, no_color=no_color)
            self.stdout.write(f"{created} synthetic users added.")
        tester = demo_saml_tester_seed(groups=[UserGroup.objects.get(name=TESTER_GROUP)])
        base = settings.TESSERA_BASE_URL
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"  Admin Portal: {base}/admin/")
        self.stdout.write(f"  User Console: {base}/userconsole/")
        for account in accounts:
            self.stdout.write(f"  {account.role:32} {account.email} / {account.password}")
        if tester is None:
            self.stdout.write("  SAML Tester: off (set TESSERA_SP_TESTER_ENABLED=true to add it)")
        else:
            self.stdout.write(
                f"  See SSO work: sign in to {base}/userconsole/ as ada.lovelace@example.com, "
                f'click "{TESTER_LABEL}", and {base}/sp-tester/acs shows the validated assertion.'
            )

    def _users_generate(self, count: int, password: str, *, no_color: bool) -> int:
        console = Console(file=_Unterminated(self.stdout), no_color=no_color)
        columns = (
            TextColumn("Users"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("users"),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=console) as progress:
            task = progress.add_task("users", total=count)
            return demo_users_generate(
                count=count,
                password=password,
                on_batch=lambda done: progress.advance(task, done),
            )
