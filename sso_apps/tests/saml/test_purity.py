"""sso_apps.saml is plain SAML: no Django, no models, no database queries."""

import ast
from pathlib import Path

from sso_apps.saml import constants

SAML_PACKAGE = Path(constants.__file__).resolve().parent
# Queryset and manager calls; a builder taking model instances would reach for these.
ORM_ATTRIBUTES = {"objects", "all", "filter", "exclude", "select_related", "prefetch_related"}


def impurities(package: Path) -> list[str]:
    """Return "module:line: what" for each Django import or ORM access in the package."""
    found = []
    for path in sorted(package.glob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.split(".")[0] == "django" or not _inside_saml_or_external(name):
                    found.append(f"{path.name}:{node.lineno}: imports {name}")
            if isinstance(node, ast.Attribute) and node.attr in ORM_ATTRIBUTES:
                found.append(f"{path.name}:{node.lineno}: .{node.attr}")
    return found


def _inside_saml_or_external(module: str) -> bool:
    return not module.startswith("sso_apps") or module.startswith("sso_apps.saml")


def test_the_saml_package_imports_no_django_and_queries_nothing():
    assert impurities(SAML_PACKAGE) == []
