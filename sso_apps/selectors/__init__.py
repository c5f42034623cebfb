"""Reads that are more than a one-line query; services do the writes."""

from sso_apps.selectors.applications import (
    application_list,
    applications_for_user,
    connector_search,
    user_may_use,
)
from sso_apps.selectors.logout_chains import (
    logout_chain_for_browser,
    logout_chain_is_expired,
    logout_chain_open_step,
    logout_chain_step_answered_by,
    logout_chain_steps,
)
from sso_apps.selectors.sp_sessions import sp_sessions_for_logout
from sso_apps.selectors.tiles import Tile, console_tiles

__all__ = [
    "application_list",
    "applications_for_user",
    "connector_search",
    "console_tiles",
    "logout_chain_for_browser",
    "logout_chain_is_expired",
    "logout_chain_open_step",
    "logout_chain_step_answered_by",
    "logout_chain_steps",
    "sp_sessions_for_logout",
    "Tile",
    "user_may_use",
]
