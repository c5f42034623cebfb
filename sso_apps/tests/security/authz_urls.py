"""Walk Django's resolver and turn every URL pattern into a real path for the matrix."""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

from sso_apps.tests.security.authz_world import World, content_type_id


@dataclass(frozen=True)
class Route:
    """One URL pattern: its key in the matrix (name, or route when unnamed) and its route."""

    key: str
    route: str


def routes() -> list[Route]:
    """Return every URL pattern of the project, recursing through includes."""
    found = []

    def walk(resolver, prefix, namespace):
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern, route, inner)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
                found.append(Route(key=name or route, route=route))

    walk(get_resolver(), "", None)
    return found


_MODEL_IN_ROUTE = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/")
_MODEL_IN_NAME = re.compile(r"^admin:(?P<label>\w+?)_(?P<model>\w+?)_\w+$")
_PARAMETER = re.compile(r"<(?:\w+:)?(?P<name>\w+)>|\(\?P<(?P<regex>\w+)>[^)]*\)")


def _model_label(route: Route) -> str | None:
    match = _MODEL_IN_ROUTE.match(route.route)
    if match:
        return f"{match['app']}.{match['model']}"
    return None


def url_for(route: Route, world: World, *, query: str = "") -> str:
    """Return the path of the pattern with each parameter filled from the world."""
    label = _model_label(route)

    def value(name: str) -> str:
        if name in {"object_id", "pk", "id"}:
            if route.key == "admin:auth_user_password_change":
                label_ = "accounts.user"
            elif route.key == "admin:view_on_site":
                label_ = "sso_apps.application"
            else:
                label_ = label
            return str(world.objects[label_].pk)
        if name == "chain_id":
            return "00000000-0000-4000-8000-000000000000"  # no such chain for anyone
        if name == "suffix":
            return world.application.idp_suffix
        if name == "content_type_id":
            return str(content_type_id("sso_apps.application"))
        if name == "app_label":
            return "sso_apps"
        if name == "path":
            return world.media_path
        if name == "url":
            return "no-such-page/"
        raise KeyError(f"No value for URL parameter {name!r} of {route.key}")

    path = _PARAMETER.sub(lambda m: value(m["name"] or m["regex"]), route.route)
    path = path.replace("^", "").replace("$", "")
    return "/" + path + (f"?{query}" if query else "")
