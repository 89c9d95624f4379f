"""Model instances from plain SQL, built as the ORM builds them.

Why: a few statements of fixed shape run on (nearly) every request — the
session, the user, the portal search. For those, building the statement through
querysets (filter clones, lookups, the compiler) costs several times the
database's own work: a session and a user cost 0.35 ms of CPU through `.get()`,
a fifth of that here (bench/pages.py). The rows come back through the same
converters the ORM applies (`ops.get_db_converters`, `field.get_db_converters`)
and `Model.from_db`, so callers get ordinary instances, with the fields not
selected deferred.

Only SQL written by the project goes into a statement; values are parameters.
"""

import weakref
from datetime import date, datetime

from django.db import connection, connections


def quote(table: str, column: str) -> str:
    return f"{connection.ops.quote_name(table)}.{connection.ops.quote_name(column)}"


def adapt(value):
    """A Python value as the ORM passes it for a date or datetime field (SQLite stores
    datetimes as UTC text), other values as they are."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return connection.ops.adapt_datefield_value(value)
    return value


class Reader:
    """Some concrete fields of a model, for one connection: their columns, and the converters
    the ORM would apply to each."""

    def __init__(self, model, names: frozenset[str], wrapper):
        self.model = model
        self.wrapper = wrapper
        table = model._meta.db_table
        self.table = wrapper.ops.quote_name(table)
        # Model order: `from_db` takes a partial row in the order of the concrete fields.
        self.fields = [f for f in model._meta.concrete_fields if not names or f.attname in names]
        self.attnames = [f.attname for f in self.fields]
        self.columns = ", ".join(f"{self.table}.{wrapper.ops.quote_name(f.column)}" for f in self.fields)
        self.converters = {}
        for index, field in enumerate(self.fields):
            col = field.get_col(table)
            found = wrapper.ops.get_db_converters(col) + field.get_db_converters(wrapper)
            if found:
                self.converters[index] = (found, col)

    def value(self, index: int, value):
        """One column's value as the ORM would return it."""
        converters, col = self.converters.get(index, ((), None))
        for converter in converters:
            value = converter(value, col, self.wrapper)
        return value

    def instance(self, row):
        values = list(row)
        for index in self.converters:
            values[index] = self.value(index, values[index])
        return self.model.from_db(self.wrapper.alias, self.attnames, values)

    def fetch(self, tail: str, params) -> list:
        """Instances of `SELECT <the fields> FROM <the table> <tail>`: `tail` holds the
        conditions, order and limit, written by the caller, with `%s` for every value."""
        return [row[0] for row in fetch_joined((self,), tail, params)]


_readers: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def reader(model, names: tuple[str, ...] = ()) -> Reader:
    """The reader of `names` (all concrete fields when empty; the primary key is always read)
    on this thread's connection, built once per connection."""
    wrapper = connections[connection.alias]  # this thread's connection, not the proxy
    per_connection = _readers.setdefault(wrapper, {})
    key = (model, names)
    if key not in per_connection:
        wanted = frozenset((model._meta.pk.attname, *names)) if names else frozenset()
        per_connection[key] = Reader(model, wanted, wrapper)
    return per_connection[key]


def fetch_joined(readers: tuple[Reader, ...], tail: str, params, extra: tuple[str, ...] = ()) -> list[tuple]:
    """Instances of several models read by one statement, a tuple per row:
    `SELECT <each reader's fields>, <extra> FROM <the first reader's table> <tail>`, where
    `tail` joins the other tables (by their plain names) and holds the conditions. The
    `extra` columns (SQL written by the caller) follow the instances in each tuple, as the
    driver returns them."""
    columns = ", ".join((*(r.columns for r in readers), *extra))
    with readers[0].wrapper.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {readers[0].table} {tail}", [adapt(p) for p in params])  # noqa: S608
        found = cursor.fetchall()
    out = []
    for row in found:
        items, start = [], 0
        for r in readers:
            end = start + len(r.attnames)
            items.append(r.instance(row[start:end]))
            start = end
        out.append((*items, *row[start:]))
    return out


def by_pk(model, pk):
    """The instance with this primary key, all concrete fields loaded, or None."""
    meta = model._meta
    found = reader(model).fetch(f"WHERE {quote(meta.db_table, meta.pk.column)} = %s", [pk])
    return found[0] if found else None
