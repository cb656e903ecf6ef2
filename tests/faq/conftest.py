"""Fixtures for the FAQ desk: every database test runs on SQLite and on PostgreSQL.

PostgreSQL is expected on 127.0.0.1:5432 (user postgres, trust auth). A database with a
unique name is created for the test session and dropped at the end. If the server cannot be
reached the PostgreSQL tests fail: there is no switch to skip them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from bot.faq.auth import Auth
from bot.faq.db import make_engine, migrate
from bot.faq.models import metadata
from bot.faq.store import FaqStore
from bot.policy import Knowledge
from tests.support.faq import FAST_HASHER, PASSWORD, Clock
from tests.support.services import POSTGRES_SQLALCHEMY, Postgres

STAFF = {
    "editor": "editor",
    "editor2": "editor",
    "reviewer": "reviewer",
    "reviewer2": "reviewer",
    "admin": "admin",
}


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    server = Postgres()
    try:
        with server.admin.connect():
            pass
    except OperationalError as exc:
        pytest.fail(
            f"PostgreSQL at {POSTGRES_SQLALCHEMY} is unreachable ({str(exc).splitlines()[0]}); "
            "the store tests run against both databases, so start it (see README)",
            pytrace=False,
        )
    yield server
    server.drop_all()


@pytest.fixture(scope="session")
def postgres_url(postgres: Postgres) -> str:
    """One migrated database for the session; each test starts from emptied tables."""
    url = postgres.create_database()
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    return url


def _empty_postgres(engine: sa.engine.Engine) -> None:
    tables = ", ".join(t.name for t in metadata.sorted_tables if t.name != "faq_state")
    with engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        connection.exec_driver_sql("UPDATE faq_state SET revision = 0")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def engine(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[sa.engine.Engine]:
    """A migrated, empty database: a new SQLite file, or the session's PostgreSQL database."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path}/faq.sqlite3")
        migrate(engine)
    else:
        engine = make_engine(request.getfixturevalue("postgres_url"))
        _empty_postgres(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def auth(engine: sa.engine.Engine, clock: Clock) -> Auth:
    return Auth(engine, now=clock, hasher=FAST_HASHER)


@pytest.fixture
def store(engine: sa.engine.Engine, clock: Clock, auth: Auth, kb: Knowledge) -> FaqStore:
    """The store, with the staff in :data:`STAFF` (username = role name, plus 2nd ones)."""
    for username, role in STAFF.items():
        auth.create_user(username, PASSWORD, role)
    return FaqStore(engine, kb.clauses, now=clock)
