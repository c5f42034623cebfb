"""Throwaway benchmark databases: PostgreSQL created and dropped, or SQLite in a temp folder."""

import os
import tempfile
from urllib.parse import urlsplit, urlunsplit


def _maintenance(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(scheme="postgresql", path="/postgres"))


TEMPLATE_ENV = "BENCH_TEMPLATE_DATABASE"
# The same for the stock djangosaml2idp project's databases.
STOCK_TEMPLATE_ENV = "BENCH_STOCK_TEMPLATE_DATABASE"
# Read once, at import: django_setup later points DATABASE_URL at a throwaway database.
_BASE_URL = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL", "")


def postgres_database_create(url: str, *, template: str = "") -> None:
    """Create the PostgreSQL database named by url afresh (dropping a leftover one).

    With `template`, copy that (already migrated) database: a file copy on the server,
    far quicker than running every migration again for each benchmark.
    """
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(_maintenance(url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        suffix = f' TEMPLATE "{template}"' if template else ""
        connection.execute(f'CREATE DATABASE "{name}"{suffix}')


def postgres_database_drop(url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(_maintenance(url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_url(name: str) -> str:
    """Return the URL of a throwaway database called `name`.

    PostgreSQL on the server of BENCH_DATABASE_URL (or DATABASE_URL) when that is a
    PostgreSQL URL, so figures come from the database production uses; SQLite otherwise.
    """
    base = _BASE_URL
    if base.startswith("postgres"):
        # NOTE: the name carries the base database's name (tessera_bench_http_tessera_x),
        # so runs started from different checkouts against one server never drop each
        # other's databases; the name stays fixed per checkout so a leftover is reused.
        owner = urlsplit(base).path.lstrip("/")
        if owner and not name.endswith(f"_{owner}"):
            name = f"{name}_{owner}"[:63]
        return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))
    return f"sqlite:///{tempfile.mkdtemp(prefix='tessera-bench-')}/{name}.sqlite3"


class ThrowawayDatabase:
    """Context manager: a fresh database at `url` for the block, dropped afterwards.

    tessera=True starts from the runner's migrated Tessera template when there is one,
    stock=True from its migrated stock djangosaml2idp template.
    """

    def __init__(self, url: str, *, tessera: bool = False, stock: bool = False):
        self.url = url
        variable = TEMPLATE_ENV if tessera else STOCK_TEMPLATE_ENV if stock else ""
        self.template = os.environ.get(variable, "") if variable else ""

    def __enter__(self) -> str:
        if self.url.startswith("postgres"):
            postgres_database_create(self.url, template=self.template)
        return self.url

    def __exit__(self, *exc) -> None:
        if self.url.startswith("postgres"):
            from django.conf import settings

            if settings.configured:
                from django.db import connections

                connections.close_all()
            postgres_database_drop(self.url)


def django_setup(*, url: str, settings: str = "portal.settings.test") -> None:
    """Set Django up on `url` with `settings` and migrate."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    os.environ.setdefault("TESSERA_TEST_CELERY_EAGER", "1")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
