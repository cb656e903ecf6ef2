"""Where the FAQ desk's data lives, and keeping its schema up to date.

``DATABASE_URL`` names the database (any SQLAlchemy URL, e.g.
``postgresql+psycopg2://hukou@db/hukou``); without it a SQLite file ``var/hukou.sqlite3``
under the repository root is used. :func:`migrate` brings a database to the latest schema
with the Alembic migrations shipped in ``bot/faq/migrations`` (no ``alembic.ini`` needed).

To add a migration, write a new file in ``migrations/versions`` by hand (``down_revision`` =
the previous one) and change :mod:`bot.faq.models` to match; ``tests/faq/test_migrations.py``
fails while the two differ.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import sessionmaker

from bot.paths import faq_database_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (default :func:`bot.paths.faq_database_url`).

    SQLite connections enforce foreign keys, use write-ahead logging (readers do not block the
    writer) and may be shared between threads (the web server's worker threads).

    Errors never carry the statement's parameters (``hide_parameters``): SQLAlchemy puts them
    in every exception's message, so a failed sign-in or save would log a session-token hash,
    a password hash or an entry's text wherever the error is logged (issue 19, item 3).
    """
    url = url or faq_database_url()
    if sa.engine.make_url(url).get_backend_name() != "sqlite":
        return sa.create_engine(url, future=True, pool_pre_ping=True, hide_parameters=True)
    engine = sa.create_engine(
        url, future=True, hide_parameters=True, connect_args={"check_same_thread": False}
    )
    sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def describe_error(error: sa.exc.SQLAlchemyError) -> str:
    """A database error for the log: its kinds, the database's headline and the statement.

    Nothing of the data: the statement's parameters are hidden by :func:`make_engine`, and
    PostgreSQL's ``DETAIL`` line, which quotes the values of a violated key, is left out (only
    the first line of the database's own message is kept).
    """
    original = getattr(error, "orig", None)
    lines = str(error if original is None else original).strip().splitlines()
    kinds = type(error).__name__
    if original is not None:
        kinds += f" ({type(original).__module__}.{type(original).__qualname__})"
    statement = " ".join(str(getattr(error, "statement", None) or "").split())
    return f"{kinds}: {lines[0] if lines else ''}" + (f" [SQL: {statement}]" if statement else "")


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in ``url`` if it does not exist yet.

    SQLite files are created on first connection; other databases are left alone.
    """
    target = sa.engine.make_url(url)
    if target.get_backend_name() != "postgresql" or not target.database:
        return
    admin = sa.create_engine(
        target.set(database="postgres"), isolation_level="AUTOCOMMIT", hide_parameters=True
    )
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": target.database},
            ).scalar()
            if not exists:
                quoted = connection.dialect.identifier_preparer.quote(target.database)
                connection.exec_driver_sql(f"CREATE DATABASE {quoted}")
    finally:
        admin.dispose()


def session_factory(engine: Engine) -> sessionmaker:
    """Sessions whose objects stay readable after commit (they are handed to callers)."""
    return sessionmaker(bind=engine, future=True, expire_on_commit=False)


def alembic_config(connection: Connection) -> Config:
    """An Alembic configuration that runs the shipped migrations on ``connection``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def migrate(engine: Engine) -> None:
    """Upgrade the database to the latest schema (does nothing when it is up to date)."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")


def prepare_database(url: str | None = None) -> None:
    """Create the database if it is missing (PostgreSQL), then bring it to the latest schema.

    ``url`` as for :func:`make_engine` (``None``: ``DATABASE_URL`` or the SQLite default).
    """
    if url:
        ensure_database(url)
    engine = make_engine(url)
    try:
        migrate(engine)
    finally:
        engine.dispose()
