"""The User Console's multi-factor pages: the second sign-in step, enrolment, factor list."""
