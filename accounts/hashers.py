"""Password hashing: Argon2id at OWASP's minimum cost, so a sign-in stays affordable."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class TesseraArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with m = 19 MiB, t = 2, p = 1 (OWASP Password Storage Cheat Sheet minimum).

    Django's defaults (m = 100 MiB, p = 8) cost ~170 ms of CPU per check on our 2-core
    hosts, capping sign-ins at ~5/s per core; these parameters cost ~25 ms and still meet
    OWASP's minimum. The algorithm name stays "argon2", so every existing Argon2 hash
    keeps verifying (argon2-cffi reads the parameters from the hash), and Django's
    must_update re-hashes it with these parameters at the next successful sign-in.
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
