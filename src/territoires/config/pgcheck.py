"""Exit 0 when the PostgreSQL server behind a URL answers; used by `make test`."""

import sys

import dj_database_url
import psycopg


def main(url: str) -> int:
    conf = dj_database_url.parse(url)
    try:
        psycopg.connect(
            host=conf["HOST"] or "127.0.0.1",
            port=conf["PORT"] or 5432,
            user=conf["USER"] or None,
            password=conf["PASSWORD"] or None,
            dbname=conf["NAME"] or "postgres",
            connect_timeout=3,
        ).close()
    except psycopg.Error:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
