"""Fixtures for the FAQ desk: every database test runs on SQLite and on PostgreSQL.

PostgreSQL is expected on 127.0.0.1:5432 (user postgres, trust auth). A database with a
unique name is created for the test session and dropped at the end. If the server cannot be
reached the PostgreSQL tests fail: there is no switch to skip them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy.exc import OperationalError

from bot.faq.auth import Auth
from bot.faq.db import make_engine, migrate
from bot.faq.models import metadata
from bot.faq.store import FaqStore
from bot.policy import Knowledge

POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432"
PASSWORD = "correct horse battery"
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
"""Argon2id with small costs: the tests check behaviour, not the work factor."""
STAFF = {
    "editor": "editor",
    "editor2": "editor",
    "reviewer": "reviewer",
    "reviewer2": "reviewer",
    "admin": "admin",
}
START = dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.timezone.utc)


class Clock:
    """A settable clock for the store and auth (``now`` callable); tests move it by hand."""

    def __init__(self) -> None:
        self.now = START
        self.before_next_call: Callable[[], None] | None = None

    def __call__(self) -> dt.datetime:
        hook, self.before_next_call = self.before_next_call, None
        if hook is not None:
            hook()
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


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
    server = Postgres()
    try:
        with server.admin.connect():
            pass
    except OperationalError as exc:
        pytest.fail(
            f"PostgreSQL at {POSTGRES} is unreachable ({str(exc).splitlines()[0]}); the store "
            "tests run against both databases, so start it (see README)",
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


@pytest.fixture(params=["sqlite", "postgresql"])
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
