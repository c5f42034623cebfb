from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import demo_directory_seed, demo_users_generate


class Command(BaseCommand):
    help = "Create demo admins, groups and users (idempotent). --users N adds N more for scale."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=0, help="Also generate N synthetic users.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Allow running with DEBUG off (never in production).",
        )

    def handle(self, *args, users, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo sets well-known passwords; it runs only with DEBUG on.")
        password = settings.TESSERA_DEMO_PASSWORD
        accounts = demo_directory_seed(password=password)
        if users:
            created = demo_users_generate(count=users, password=password, out=self.stdout)
            self.stdout.write(f"{created} synthetic users added.")
        base = settings.TESSERA_BASE_URL
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"  Admin Portal: {base}/admin/")
        self.stdout.write(f"  User Console: {base}/userconsole/")
        for account in accounts:
            self.stdout.write(f"  {account.role:32} {account.email} / {account.password}")
