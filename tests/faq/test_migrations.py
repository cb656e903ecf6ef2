"""The shipped migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot import paths
from bot.faq.db import alembic_config, make_engine, migrate
from bot.faq.models import metadata
from bot.paths import faq_database_url
from bot.turns import models as turn_models
from tests.support.services import Postgres

TABLES = {
    "alembic_version",
    "faq_audit_log",
    "faq_entries",
    "faq_entry_versions",
    "faq_state",
    "faq_unanswered",
    "login_failures",
    "login_sessions",
    "turn_clauses",
    "turn_counts",
    "turn_feedback",
    "turns",
    "users",
}
assert turn_models.turns.metadata is metadata  # the turn log is part of the compared schema


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.engine.Engine]:
    """A database nothing has touched yet."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/new.sqlite3"
    else:
        postgres: Postgres = request.getfixturevalue("postgres")
        url = postgres.create_database()
    engine = make_engine(url)
    yield engine
    engine.dispose()


def tables(engine: sa.engine.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def differences(engine: sa.engine.Engine) -> list[object]:
    with engine.connect() as connection:
        return list(compare_metadata(MigrationContext.configure(connection), metadata))


def test_migrate_an_empty_database_twice(empty_engine: sa.engine.Engine) -> None:
    assert tables(empty_engine) == set()
    migrate(empty_engine)
    assert tables(empty_engine) == TABLES
    migrate(empty_engine)
    with empty_engine.connect() as connection:
        assert connection.execute(sa.text("SELECT version_num FROM alembic_version")).all() == [
            ("0004_schedule",)
        ]
        assert connection.execute(sa.text("SELECT id, revision FROM faq_state")).all() == [(1, 0)]


def test_models_and_migrations_agree(empty_engine: sa.engine.Engine) -> None:
    migrate(empty_engine)
    assert differences(empty_engine) == []


def test_a_model_change_without_a_migration_is_noticed(empty_engine: sa.engine.Engine) -> None:
    migrate(empty_engine)
    with empty_engine.begin() as connection:
        connection.exec_driver_sql("DROP INDEX ix_faq_audit_log_entry_id")
    assert [d[0] for d in differences(empty_engine)] == ["add_index"]


def test_downgrade_and_upgrade_again(empty_engine: sa.engine.Engine) -> None:
    migrate(empty_engine)
    with empty_engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
    assert tables(empty_engine) == {"alembic_version"}
    migrate(empty_engine)
    assert differences(empty_engine) == []


def test_sqlite_enforces_foreign_keys_and_uses_wal(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/fk.sqlite3")
    migrate(engine)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO login_sessions (token_hash, user_id, csrf_token, created_at, last_seen,"
            " expires_at) VALUES ('h', 42, 'c', '2026-01-01', '2026-01-01', '2026-01-01')"
        )


def test_database_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg2://hukou@db/hukou")
    assert faq_database_url() == "postgresql+psycopg2://hukou@db/hukou"
    monkeypatch.delenv("DATABASE_URL")
    assert paths.DEFAULT_SQLITE == paths.ROOT / "var" / "hukou.sqlite3"
    monkeypatch.setattr(paths, "DEFAULT_SQLITE", tmp_path / "var" / "hukou.sqlite3")
    assert faq_database_url() == f"sqlite:///{tmp_path}/var/hukou.sqlite3"
    assert (tmp_path / "var").is_dir(), "the folder is created on demand"
