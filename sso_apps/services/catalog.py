"""Load the connector catalog shipped in sso_apps/catalog/connectors into the database."""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from sso_apps.catalog.schema import load_catalog_dir
from sso_apps.models import ConnectorTemplate

CATALOG_DIR = Path(__file__).resolve().parent.parent / "catalog" / "connectors"
LOGO_STATIC_DIR = "sso_apps/logos"


@dataclass
class CatalogLoadResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    not_in_files: list[str] = field(default_factory=list)


@transaction.atomic
def catalog_load(*, directory: Path = CATALOG_DIR) -> CatalogLoadResult:
    """Create or update a template per connector file; unchanged files cost no write."""
    result = CatalogLoadResult()
    entries = load_catalog_dir(directory)
    existing = {template.slug: template for template in ConnectorTemplate.objects.all()}
    for entry in entries:
        values = _template_values(entry)
        digest = hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()
        template = existing.get(entry["slug"])
        if template is not None and template.content_hash == digest:
            result.unchanged.append(entry["slug"])
            continue
        if template is None:
            template = ConnectorTemplate(slug=entry["slug"])
            result.created.append(entry["slug"])
        else:
            result.updated.append(entry["slug"])
        for name, value in values.items():
            setattr(template, name, value)
        template.content_hash = digest
        template.full_clean()
        template.save()
    # Templates dropped from the files stay: applications may still be built on them.
    result.not_in_files = sorted(set(existing) - {entry["slug"] for entry in entries})
    return result


def _template_values(entry: dict) -> dict:
    return {
        "name": entry["name"],
        "type": entry["type"],
        "category": entry["category"],
        "description": entry.get("description") or "",
        "docs_url": entry.get("docs_url") or "",
        "keywords": list(entry.get("keywords") or []),
        "logo": f"{LOGO_STATIC_DIR}/{entry['slug']}.svg" if entry.get("icon") else "",
        "color": entry.get("color") or "#5b6b8c",
        "verified": bool(entry.get("verified")),
        "sources": list(entry.get("sources") or []),
        "placeholders": list(entry.get("placeholders") or []),
        "saml_defaults": entry.get("saml") or {},
    }
