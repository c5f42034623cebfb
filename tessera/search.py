"""Searches, counts and filter choices that stay fast on tables of 100,000+ rows.

Admin searches look for a word anywhere in a column (`LIKE '%word%'`), which a B-tree
cannot answer: PostgreSQL reads every row. A pg_trgm GIN index over the searched
expression can, so each searchable list indexes one lower-cased expression
(`AddTrigramIndex` in its migration) and filters on the very same expression with
`__contains` on the lower-cased word. On SQLite (tests, development) the migration
creates nothing and the same query simply scans, which is fine at that size.
"""

from django.core.paginator import Paginator
from django.db import connections, router
from django.db.migrations.operations.base import Operation
from django.db.models import Expression, Func, QuerySet, TextField
from django.db.models.sql import Query
from django.utils.functional import cached_property
from django.utils.text import smart_split, unescape_string_literal

# Below this many rows an exact COUNT(*) is cheap enough, and exact counts keep small
# lists (and their tests) precise; above it the planner's estimate is used instead.
ESTIMATE_COUNT_ABOVE = 20_000


def search_words(term: str) -> list[str]:
    """Split an admin search term into lower-cased words, "quoted phrases" kept whole.

    The same splitting as Django's ModelAdmin.get_search_results, so our index-backed
    searches accept what the stock admin search accepts.
    """
    words = []
    for bit in smart_split(term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        if bit.strip():
            words.append(bit.lower())
    return words


class AddTrigramIndex(Operation):
    """Create a pg_trgm GIN index over an expression on PostgreSQL; nothing elsewhere.

    NOTE: the index is deliberately not part of the model state: a GinIndex in
    Meta.indexes would make SQLite (which has no GIN) fail to build its tables. The
    migration that uses this must come after TrigramExtension(). The query must compile
    the same expression for PostgreSQL to use the index; a test per list checks EXPLAIN.
    """

    reversible = True

    def __init__(self, model_name: str, name: str, expression: Expression):
        self.model_name = model_name
        self.name = name
        self.expression = expression

    def deconstruct(self):
        return (
            self.__class__.__qualname__,
            [],
            {"model_name": self.model_name, "name": self.name, "expression": self.expression},
        )

    def state_forwards(self, app_label, state):
        pass

    def _applies(self, schema_editor, app_label) -> bool:
        return schema_editor.connection.vendor == "postgresql" and router.allow_migrate(
            schema_editor.connection.alias, app_label
        )

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not self._applies(schema_editor, app_label):
            return
        # NOTE: written out rather than GinIndex(OpClass(...)): without
        # django.contrib.postgres installed, Django parenthesises the OpClass with its
        # expression, `((expr) gin_trgm_ops)`, which PostgreSQL refuses.
        model = to_state.apps.get_model(app_label, self.model_name)
        connection = schema_editor.connection
        query = Query(model, alias_cols=False)
        compiler = query.get_compiler(connection=connection)
        sql, params = self.expression.resolve_expression(query).as_sql(compiler, connection)
        sql %= tuple(schema_editor.quote_value(param) for param in params)
        quote = schema_editor.quote_name
        schema_editor.execute(
            f"CREATE INDEX {quote(self.name)} ON {quote(model._meta.db_table)}"
            f" USING gin (({sql}) gin_trgm_ops)"
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if self._applies(schema_editor, app_label):
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(self.name)}")

    def describe(self):
        return f"Create trigram index {self.name} on {self.model_name} (PostgreSQL only)"

    @property
    def migration_name_fragment(self):
        return self.name.lower()


def table_count_estimated(queryset: QuerySet, *, above: int) -> int | None:
    """Return the rows of the queryset's table: PostgreSQL's estimate if above `above`.

    Exact (COUNT(*)) when the estimate is not above `above` or unknown (a table never
    analysed has reltuples -1), in the same single query; None on other databases.
    """
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    with connection.cursor() as cursor:
        # CASE evaluates the COUNT(*) subquery only in the branch that needs it.
        cursor.execute(
            "SELECT CASE WHEN reltuples > %s THEN reltuples::bigint"  # noqa: S608
            f" ELSE (SELECT COUNT(*) FROM {table}) END"
            " FROM pg_class WHERE oid = %s::regclass",
            [above, table],
        )
        row = cursor.fetchone()
    return None if row is None else row[0]


class EstimatedCountPaginator(Paginator):
    """A Paginator that takes PostgreSQL's row estimate for an unfiltered big table.

    An exact COUNT(*) reads every row (or the whole smallest index): 20-30 ms at 100,000
    users on every page view, the list's biggest single cost. Without a filter or a
    search the planner's estimate (kept by autovacuum/ANALYZE) is within a few percent,
    which is what "100,041 users" and the page links need. A filtered list, or a table
    estimated at no more than ESTIMATE_COUNT_ABOVE rows, is counted exactly, and either
    way the count is one query.
    """

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if isinstance(queryset, QuerySet) and _whole_table(queryset.query):
            rows = table_count_estimated(queryset, above=ESTIMATE_COUNT_ABOVE)
            if rows is not None:
                return rows
        return super().count


def _whole_table(query) -> bool:
    """Whether the query counts exactly the rows of its table (no filter, grouping...)."""
    return not (
        query.where
        or query.distinct
        or query.group_by
        or query.combinator
        or query.is_sliced
        or query.is_empty()
    )


def distinct_column_values(queryset: QuerySet, column: str) -> list:
    """Return the distinct non-null values of an indexed column of the table, sorted.

    NOTE: SELECT DISTINCT reads every row (115 ms for departments at 100,000 users on a
    loaded machine); this walks the column's B-tree instead, one index probe per value
    (a "loose index scan", which PostgreSQL 15 does not do by itself). It reads the
    whole table, not the queryset's rows: use it where the queryset is unfiltered.
    """
    connection = connections[queryset.db]
    quote = connection.ops.quote_name
    table = quote(queryset.model._meta.db_table)
    field = queryset.model._meta.get_field(column)
    name = quote(field.column)
    sql = (
        f"WITH RECURSIVE walk(value) AS ("  # noqa: S608 - quoted identifiers from _meta
        f" SELECT MIN({name}) FROM {table}"
        f" UNION ALL"
        f" SELECT (SELECT MIN({name}) FROM {table} WHERE {name} > walk.value)"
        f" FROM walk WHERE walk.value IS NOT NULL"
        f") SELECT value FROM walk WHERE value IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


class SpaceJoined(Func):
    """Text columns joined with single spaces: `(a || ' ' || b)`, on PostgreSQL and SQLite.

    NOTE: not Concat(): Concat wraps every part in COALESCE (twice, nested per pair),
    which makes a long index expression for no-NULL columns and a GIN OpClass around it
    compile to invalid SQL. `||` of text is immutable, so PostgreSQL can index it.
    """

    template = "(%(expressions)s)"
    arg_joiner = " || ' ' || "
    output_field = TextField()


class FirstPageCountPaginator(Paginator):
    """A Paginator that needs no COUNT(*) when the results fit on the first page.

    Most searches of a catalog or list come back shorter than one page: then the page's
    own rows are the count. It reads one row more than a page to know; a longer result
    is counted as usual, still in two queries.
    """

    def get_page(self, number):
        try:
            first = int(number or 1) == 1
        except (TypeError, ValueError):
            first = True  # Paginator.get_page answers the first page for junk, too
        if not first:
            return super().get_page(number)
        rows = list(self.object_list[: self.per_page + 1])
        if len(rows) <= self.per_page:
            self.__dict__["count"] = len(rows)  # fills the cached_property
        return self._get_page(rows[: self.per_page], 1, self)
