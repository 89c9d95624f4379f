"""The SQL of the portal search, written directly rather than through querysets.

Why: at 1M notices the database answers a search in a fraction of a millisecond,
and building the same statement through the ORM (filter clones, lookups, the
compiler, then model instances) cost 1.9 ms of CPU per search, a third of a page
and more than half of an API call (`bench/notices.py`, in-process). The
statements here are the ones the ORM wrote — same columns, same operators, same
casts (`connection.operators`, `ops.lookup_cast`), same adaptation of the
parameters (`ops.adapt_datetimefield_value`…) and the same converters on the way
back — so the plans, and the indexes of migration 0002 they rely on, are
unchanged; only the Python around them is lighter.

Everything here is read-only and takes no value into the SQL text except through
parameters (LIMIT and OFFSET are ints).
"""

import weakref
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection, connections

TABLE = '"marches_notice"'


def column(name: str) -> str:
    return f'"marches_notice"."{name}"'


def adapt(value):
    """A Python value as the ORM would pass it for a date or datetime field (SQLite stores
    datetimes as UTC text), other values as they are."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return connection.ops.adapt_datefield_value(value)
    return value


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


class _Reader:
    """The selected fields of `Notice` for one connection, and the converters the ORM would apply."""

    def __init__(self, wrapper, names: frozenset[str]):
        from territoires.marches.models import Notice

        self.model = Notice
        table = Notice._meta.db_table
        # Model order: `from_db` takes a partial row in the order of the concrete fields.
        self.fields = [f for f in Notice._meta.concrete_fields if f.attname in names]
        self.attnames = [f.attname for f in self.fields]
        self.columns = ", ".join(column(f.column) for f in self.fields)
        self.converters = {}
        for index, field in enumerate(self.fields):
            col = field.get_col(table)
            found = wrapper.ops.get_db_converters(col) + field.get_db_converters(wrapper)
            if found:
                self.converters[index] = (found, col)

    def convert(self, row, wrapper) -> list:
        values = list(row)
        for index, (converters, col) in self.converters.items():
            value = values[index]
            for converter in converters:
                value = converter(value, col, wrapper)
            values[index] = value
        return values


_readers: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _reader(names: tuple[str, ...]) -> tuple[_Reader, object]:
    wrapper = connections[connection.alias]  # this thread's connection, not the proxy
    per_connection = _readers.setdefault(wrapper, {})
    if names not in per_connection:
        per_connection[names] = _Reader(wrapper, frozenset(("id", *names)))
    return per_connection[names], wrapper


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
    reader, wrapper = _reader(names)
    found = rows(reader.columns, [], TABLE, where, order, offset, limit)
    return [reader.model.from_db(wrapper.alias, reader.attnames, reader.convert(row, wrapper)) for row in found]


def notices_by_id(names: tuple[str, ...], ids: list[int]) -> dict[int, object]:
    if not ids:
        return {}
    where = Where().also(f"{column('id')} IN ({', '.join(['%s'] * len(ids))})", *ids)
    return {notice.pk: notice for notice in notices(names, where, column("id"), 0, len(ids))}


def values(name: str, where: Where, order: str, offset: int, limit: int) -> list:
    """One field's values (converted as the ORM would), in `order`."""
    reader, wrapper = _reader((name,))
    index = reader.attnames.index(name)
    converters, col = reader.converters.get(index, ((), None))
    out = []
    for (value,) in rows(column(reader.fields[index].column), [], TABLE, where, order, offset, limit):
        for converter in converters:
            value = converter(value, col, wrapper)
        out.append(value)
    return out


def count_upto(where: Where, cap: int) -> int:
    """How many notices match, counting no further than `cap`."""
    sql = f"SELECT COUNT(*) FROM (SELECT {column('id')} FROM {TABLE}{where.sql()}{_limit(0, cap)}) subquery"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, where.params)
        return cursor.fetchone()[0]
