"""Signals the accounts app sends so that other apps (the audit trail) can react.

accounts imports no other app of ours; sso_apps.receivers records these as audit events.
"""

from django.dispatch import Signal

# A user's Admin Portal roles changed. Sent inside the transaction that made the change.
# Arguments: actor, user, before, after (dicts of is_superuser, is_staff, groups,
# user_permissions), request (or None).
user_roles_changed = Signal()

# A change to a user was refused: their roles, or a bulk action on a protected user.
# Arguments: actor, user, reason, attempted (dict of what was asked), request (or None).
user_change_refused = Signal()
