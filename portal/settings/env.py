"""Read the process environment once, for every settings module."""

from pathlib import Path

import environ
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()


def dev_secret(filename: str) -> str:
    """Return a random secret stored in a git-ignored file, creating it on first use.

    Used only by development settings so a fresh clone works without configuration
    and sessions survive restarts; production settings require the real variable.
    """
    path = BASE_DIR / filename
    if not path.exists():
        path.write_text(get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()
