"""Migrate and seed the stock IdP's database for the HTTP benchmark; print session cookies.

Run in the stock project's environment (benchmarks.baseline.stock_seed.stock_environment):
    python -m benchmarks.baseline.http_seed SPS USERS
Prints one JSON object: the SP entity IDs and one signed-in session cookie per user.
Sessions are made with Django's test client (force_login) rather than through the login
form: only SSO is compared over HTTP, and stock's PBKDF2 would make seeding slow.
"""

import json
import sys


def main() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model
    from django.test import Client

    from benchmarks.baseline.stock_seed import stock_seed

    sps, users = int(sys.argv[1]), int(sys.argv[2])
    entity_ids = stock_seed(sps=sps, users=users, password=None)
    sessions = []
    for user in get_user_model().objects.order_by("pk"):
        client = Client()
        client.force_login(user)
        sessions.append(client.cookies["sessionid"].value)
    print(json.dumps({"entity_ids": entity_ids, "sessions": sessions}))


if __name__ == "__main__":
    main()
