"""Querysets compiled to SQL once per process, then run with each request's parameters.

Building a queryset and compiling it costs more CPU than PostgreSQL takes to answer it:
on the SSO hot path the app lookup (three EXISTS subqueries) spent about 1 ms per request
in Django's query construction and compiler alone. A `CompiledQuery` keeps the ORM as the
one definition of the query: `build(**slots)` returns the queryset, built once per
database alias with a distinct placeholder value per slot; the compiled SQL is kept, and
each run puts the real values where the placeholders were.

Each column goes through the converters Django's compiler would apply (booleans and
timestamps on SQLite, JSON); compiling refuses a slot whose placeholder does not come out
of the compiler unchanged, so a query this cannot run faithfully fails at its first use,
in the tests, rather than answering something else.
"""

import threading
import uuid

from django.db import connections, router
from django.db.models import QuerySet

_SENTINEL_BASE = -(2**62)


class CompiledQueryError(RuntimeError):
    """The queryset cannot be run from its compiled SQL (see the module docstring)."""


class _Compiled:
    def __init__(self, sql, params, positions, kind, meta, converters):
        self.sql = sql
        # {column index: ([converter, ...], expression)}, as SQLCompiler.get_converters.
        self.converters = converters
        self.params = params
        self.positions = positions
        self.kind = kind  # "values" (dicts) or "model" (instances)
        self.meta = meta  # column names, or (model, attnames)


class CompiledQuery:
    """`build(**slots) -> QuerySet` of `model`, compiled on first use per database alias.

    `slots` maps each parameter name to its type (int or str): the placeholder given to
    `build` when compiling is of that type, so field conversions treat it like a real value.
    """

    def __init__(self, model, build, *, slots: dict[str, type]):
        self._build = build
        self._slots = slots
        self._model = model
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _placeholders(self) -> dict:
        token = uuid.uuid4().hex
        values = {}
        for number, (name, kind) in enumerate(self._slots.items()):
            if kind is int:
                values[name] = _SENTINEL_BASE - number
            elif kind is str:
                values[name] = f"\x1fslot:{name}:{token}\x1f"
            else:
                raise CompiledQueryError(f"slot {name}: only int and str slots are supported")
        return values

    def _compile(self, using: str) -> _Compiled:
        placeholders = self._placeholders()
        queryset: QuerySet = self._build(**placeholders)
        query = queryset.query
        compiler = query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        converters = compiler.get_converters([column for column, _, _ in compiler.select])
        positions: dict[str, list[int]] = {}
        for name, placeholder in placeholders.items():
            found = [i for i, param in enumerate(params) if param == placeholder]
            if not found:
                raise CompiledQueryError(f"slot {name} did not come out of the compiler as given")
            positions[name] = found
        given = set(placeholders.values())
        leftovers = [
            p for p in params if isinstance(p, str) and "\x1fslot:" in p and p not in given
        ]
        if leftovers:
            raise CompiledQueryError("a slot value was rewritten by the compiler")
        if queryset._fields is not None or query.values_select or query.annotation_select:
            if queryset._fields is None:
                raise CompiledQueryError("annotations need .values() naming the columns")
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
            return _Compiled(sql, tuple(params), positions, "values", names, converters)
        if query.select_related or query.deferred_loading != (frozenset(), True):
            raise CompiledQueryError("model rows: no select_related, defer or only")
        attnames = [column.target.attname for column, _, _ in compiler.select]
        meta = (queryset.model, attnames)
        return _Compiled(sql, tuple(params), positions, "model", meta, converters)

    def compiled(self, using: str) -> _Compiled:
        compiled = self._compiled.get(using)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(using) or self._compile(using)
                self._compiled[using] = compiled
        return compiled

    def _run(self, values: dict, using: str | None):
        if set(values) != set(self._slots):
            raise TypeError(f"expected the slots {sorted(self._slots)}")
        using = using or router.db_for_read(self._model)
        compiled = self.compiled(using)
        params = list(compiled.params)
        for name, value in values.items():
            for index in compiled.positions[name]:
                params[index] = value
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = [_converted(row, compiled.converters, connection) for row in rows]
        return compiled, rows, using

    def first(self, *, using: str | None = None, **values):
        """The first row as a dict (values querysets) or a model instance; None if none."""
        compiled, rows, using = self._run(values, using)
        if not rows:
            return None
        row = rows[0]
        if compiled.kind == "values":
            return dict(zip(compiled.meta, row, strict=True))
        model, attnames = compiled.meta
        return model.from_db(using, attnames, row)


def _converted(row, converters, connection) -> tuple:
    # As SQLCompiler.apply_converters, with this thread's connection.
    row = list(row)
    for index, (functions, expression) in converters.items():
        value = row[index]
        for function in functions:
            value = function(value, expression, connection)
        row[index] = value
    return tuple(row)
