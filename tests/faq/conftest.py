"""Fixtures for the FAQ desk: database tests run on SQLite and on PostgreSQL.

PostgreSQL is expected on 127.0.0.1:5432 (user postgres, trust auth). A database with a
unique name is created for the test session and dropped at the end. If the server cannot be
reached the PostgreSQL tests fail, unless ``HUKOU_SKIP_POSTGRES=1`` says to skip them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432"


class Postgres:
    """Creates uniquely named databases on the local server and drops them at the end."""

    def __init__(self) -> None:
        self.admin = sa.create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def create_database(self) -> str:
        name = f"hukou_faq_test_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return f"{POSTGRES}/{name}"

    def drop_all(self) -> None:
        with self.admin.connect() as connection:
            for name in self.created:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    if os.environ.get("HUKOU_SKIP_POSTGRES") == "1":
        pytest.skip("HUKOU_SKIP_POSTGRES=1: PostgreSQL tests skipped")
    server = Postgres()
    try:
        with server.admin.connect():
            pass
    except OperationalError as exc:
        pytest.fail(
            f"PostgreSQL at {POSTGRES} is unreachable ({str(exc).splitlines()[0]}); start it, "
            "or set HUKOU_SKIP_POSTGRES=1 to skip the PostgreSQL tests",
            pytrace=False,
        )
    yield server
    server.drop_all()
