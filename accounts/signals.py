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

# Multi-factor events. Each carries user and request (or None) and:
# mfa_factor_added / mfa_factor_removed: factor (a dict of kind, id, name), actor.
mfa_factor_added = Signal()
mfa_factor_removed = Signal()
# An admin removed every factor of a user: actor, count, sessions_ended.
mfa_factors_reset = Signal()
# A wrong code or failed passkey at the second step: kind.
mfa_verification_failed = Signal()
# A recovery code was used to sign in: remaining (codes left).
mfa_recovery_code_used = Signal()
