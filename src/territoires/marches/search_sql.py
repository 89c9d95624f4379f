"""The SQL of the portal search, written directly rather than through querysets.

Why: at 1M notices the database answers a search in a fraction of a millisecond,
and building the same statement through the ORM (filter clones, lookups, the
compiler, then model instances) cost 1.9 ms of CPU per search, a third of a page
and more than half of an API call (`bench/notices.py`, in-process). The
statements here are the ones the ORM wrote — same columns, same operators, same
casts (`connection.operators`, `ops.lookup_cast`), same adaptation of the
parameters (`ops.adapt_datetimefield_value`…) and the same converters on the way
back (`core.sql.Reader`) — so the plans, and the indexes of migration 0002 they rely on, are
unchanged; only the Python around them is lighter.

Everything here is read-only and takes no value into the SQL text except through
parameters (LIMIT and OFFSET are ints).
"""

from dataclasses import dataclass

from django.db import connection

from territoires.core.sql import adapt, reader

TABLE = '"marches_notice"'


def column(name: str) -> str:
    return f'"marches_notice"."{name}"'


@dataclass(frozen=True)
class Where:
    """Conditions over marches_notice, all required, with their parameters in order."""

    conditions: tuple[str, ...] = ()
    params: tuple = ()

    def also(self, condition: str, *params) -> "Where":
        return Where((*self.conditions, condition), (*self.params, *(adapt(p) for p in params)))

    def __and__(self, other: "Where") -> "Where":
        return Where(self.conditions + other.conditions, self.params + other.params)

    def like(self, name: str, lookup: str, value: str) -> "Where":
        """`name__startswith` or `name__icontains`, spelled and escaped as this database's
        backend spells them (PostgreSQL: `UPPER(col::text) LIKE UPPER(%s)`, SQLite: `LIKE … ESCAPE`)."""
        lhs = connection.ops.lookup_cast(lookup, "CharField") % column(name)
        pattern = connection.ops.prep_for_like_query(value)
        pattern = f"%{pattern}%" if lookup == "icontains" else f"{pattern}%"
        return self.also(f"{lhs} {connection.operators[lookup] % '%s'}", pattern)

    def sql(self) -> str:
        return f" WHERE {' AND '.join(self.conditions)}" if self.conditions else ""


def _limit(offset: int, limit: int) -> str:
    return f" LIMIT {int(limit)}" + (f" OFFSET {int(offset)}" if offset else "")


def _notice_reader(names: tuple[str, ...]):
    from territoires.marches.models import Notice

    return reader(Notice, names)


def rows(select: str, select_params: list, tables: str, where: Where, order: str, offset: int,
         limit: int) -> list[tuple]:
    """Rows of a SELECT over `tables`; every piece of SQL comes from this package, every value is
    a parameter."""
    sql = f"SELECT {select} FROM {tables}{where.sql()} ORDER BY {order}{_limit(offset, limit)}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*select_params, *where.params])
        return cursor.fetchall()


def notices(names: tuple[str, ...], where: Where, order: str, offset: int, limit: int) -> list:
    """`Notice` instances with only `names` (and id) loaded, as `.only(*names)` gives."""
    if limit <= 0:
        return []
    fields = _notice_reader(names)
    return [fields.instance(row) for row in rows(fields.columns, [], TABLE, where, order, offset, limit)]


def notices_by_id(names: tuple[str, ...], ids: list[int]) -> dict[int, object]:
    if not ids:
        return {}
    where = Where().also(f"{column('id')} IN ({', '.join(['%s'] * len(ids))})", *ids)
    return {notice.pk: notice for notice in notices(names, where, column("id"), 0, len(ids))}


def values(name: str, where: Where, order: str, offset: int, limit: int) -> list:
    """One field's values (converted as the ORM would), in `order`."""
    fields = _notice_reader((name,))
    index = fields.attnames.index(name)
    found = rows(column(fields.fields[index].column), [], TABLE, where, order, offset, limit)
    return [fields.value(index, value) for (value,) in found]


def count_upto(where: Where, cap: int) -> int:
    """How many notices match, counting no further than `cap`."""
    sql = f"SELECT COUNT(*) FROM (SELECT {column('id')} FROM {TABLE}{where.sql()}{_limit(0, cap)}) subquery"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, where.params)
        return cursor.fetchone()[0]
