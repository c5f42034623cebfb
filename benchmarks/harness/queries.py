"""Count a request's queries and its write transactions on Django's default connection."""

import re
from contextlib import contextmanager
from dataclasses import dataclass

# A data-modifying CTE (`WITH ... INSERT`, sso_apps.services.rows) is a write too.
WRITE = re.compile(
    r"^\s*(INSERT|UPDATE|DELETE|WITH\b.*\b(INSERT|UPDATE|DELETE))\b", re.IGNORECASE | re.DOTALL
)


@dataclass
class QueryCount:
    queries: int = 0
    write_transactions: int = 0


@contextmanager
def counting_queries():
    """Yield a QueryCount filled in while the block runs.

    A write transaction is either a write outside any atomic block (autocommit: one
    transaction each) or an outermost atomic block that committed after writing. Django
    issues no BEGIN we could see, so commits are counted where Django makes them.
    """
    from django.db import connection

    count = QueryCount()
    dirty = {"atomic": False}

    def wrapper(execute, sql, params, many, context):
        count.queries += 1
        if WRITE.match(sql):
            if connection.in_atomic_block:
                dirty["atomic"] = True
            else:
                count.write_transactions += 1
        return execute(sql, params, many, context)

    original_commit = connection.commit

    def commit():
        if dirty["atomic"]:
            count.write_transactions += 1
            dirty["atomic"] = False
        return original_commit()

    connection.commit = commit
    try:
        with connection.execute_wrapper(wrapper):
            yield count
    finally:
        del connection.commit
