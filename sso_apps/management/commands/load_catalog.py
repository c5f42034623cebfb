from django.core.management.base import BaseCommand, CommandError

from sso_apps.services.catalog import catalog_load


class Command(BaseCommand):
    help = "Load the shipped connector catalog into the database (idempotent)."

    def handle(self, *args, **options):
        try:
            result = catalog_load()
        except ValueError as error:
            raise CommandError(f"The connector catalog is invalid:\n{error}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Catalog: {len(result.created)} created, {len(result.updated)} updated, "
                f"{len(result.unchanged)} unchanged."
            )
        )
        if result.not_in_files:
            self.stdout.write("Kept (no longer in the files): " + ", ".join(result.not_in_files))
