"""Insert rows of different models in one database round trip."""

from django.db import connections, router, transaction
from django.db.models import Model
from django.db.models.sql import InsertQuery


def rows_insert(*rows: Model) -> None:
    """Insert these unsaved rows together, all or none; their primary keys stay unset.

    NOTE: on PostgreSQL one statement (data-modifying CTEs) instead of one INSERT per row:
    the sign-in writes its audit event and SP session on every SSO, and each round trip
    counts there. Django's own compiler builds each INSERT, so field conversions and
    `pre_save` (auto_now_add) are exactly those of Model.save(); no save signals are sent,
    which is why it is only for models that have no receivers. Other databases get one
    INSERT per row, in one transaction. One statement is atomic by itself, so it needs no
    transaction of its own (BEGIN and COMMIT would be two more round trips).
    """
    if not rows:
        return
    using = router.db_for_write(type(rows[0]))
    connection = connections[using]
    if connection.vendor != "postgresql" or len(rows) == 1:
        # A savepoint inside a caller's transaction, so that a refused row (a unique
        # constraint) leaves that transaction usable; at the top level, one transaction.
        with transaction.atomic(using=using):
            for row in rows:
                row.save(force_insert=True, using=using)
        return
    statements, params = [], []
    for row in rows:
        sql, row_params = _insert_sql(row, using)
        statements.append(sql)
        params.extend(row_params)
    *firsts, last = statements
    ctes = ", ".join(f"_row{number} AS ({sql})" for number, sql in enumerate(firsts))
    statement = f"WITH {ctes} {last}"
    if connection.in_atomic_block:
        # Inside a caller's transaction a failed statement would abort it: a savepoint
        # keeps it usable. Outside one (the sign-in path) the statement is its own.
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute(statement, params)
    else:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
    for row in rows:
        row._state.adding = False
        row._state.db = using


# The INSERT text per (model, columns, database): it never changes, and Django's compiler
# spent about 0.2 ms per row rebuilding it on every SSO.
_INSERT_SQL: dict[tuple, str] = {}


def _insert_sql(row: Model, using: str) -> tuple[str, tuple]:
    meta = row._meta
    # As Model._save_table: an unset auto primary key is the database's to assign.
    fields = [
        field
        for field in meta.local_concrete_fields
        if not field.generated and not (field is meta.auto_field and row.pk is None)
    ]
    key = (type(row), tuple(field.attname for field in fields), using)
    sql = _INSERT_SQL.get(key)
    if sql is not None:
        connection = connections[using]
        # What SQLInsertCompiler does per value (pre_save, then get_db_prep_save), for
        # plain values; an expression (or db_default) takes the compiler's own path.
        values = [field.pre_save(row, add=True) for field in fields]
        if not any(hasattr(value, "resolve_expression") for value in values):
            return sql, tuple(
                field.get_db_prep_save(value, connection=connection)
                for field, value in zip(fields, values, strict=True)
            )
    query = InsertQuery(type(row))
    query.insert_values(fields, [row])
    [(sql, params)] = query.get_compiler(using=using).as_sql()
    # Kept only when every value is a plain "%s" (no field with its own placeholder SQL).
    plain = not any(hasattr(field, "get_placeholder_sql") for field in fields)
    if plain and len(params) == len(fields) and sql.count("%s") == len(fields):
        _INSERT_SQL[key] = sql
    return sql, tuple(params)
