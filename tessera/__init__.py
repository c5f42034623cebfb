"""Small helpers shared by every app of ours; this package imports none of them."""
