"""A database error names the failed statement but never its values (issue 19, item 3).

SQLAlchemy writes a statement's parameters into the exception's message, and the message is
what a log keeps: a failed sign-in would have put the session-token hash there, a failed save
an entry's text or a password hash.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from bot.faq.db import describe_error
from bot.faq.models import login_sessions

TOKEN_HASH = "5e55107" + "ab" * 28
"""Stands for a session-token hash (64 hex digits)."""


def test_a_database_error_does_not_carry_the_statements_values(engine: sa.engine.Engine) -> None:
    now = dt.datetime.now(dt.timezone.utc)
    row = {
        "token_hash": TOKEN_HASH,
        "user_id": 987654,  # no such user: the foreign key refuses the row
        "csrf_token": "c" * 64,
        "created_at": now,
        "last_seen": now,
        "expires_at": now,
    }
    with pytest.raises(sa.exc.IntegrityError) as refused, engine.begin() as connection:
        connection.execute(login_sessions.insert(), row)
    message = str(refused.value)
    assert "INSERT INTO login_sessions" in message  # still says what failed
    # The parameters are hidden; PostgreSQL's DETAIL may still quote the violated key (the
    # user id), which describe_error leaves out of the log (next test).
    assert TOKEN_HASH not in message and "SQL parameters hidden" in message


def test_the_logged_description_leaves_out_the_values_the_database_quotes(
    engine: sa.engine.Engine,
) -> None:
    """PostgreSQL's own message quotes a violated key (``DETAIL: Key (user_id)=(987654)``)."""
    now = dt.datetime.now(dt.timezone.utc)
    row = {"token_hash": TOKEN_HASH, "user_id": 987654, "csrf_token": "c" * 64}
    row |= {"created_at": now, "last_seen": now, "expires_at": now}
    with pytest.raises(sa.exc.IntegrityError) as refused, engine.begin() as connection:
        connection.execute(login_sessions.insert(), row)
    described = describe_error(refused.value)
    assert described.startswith("IntegrityError (")
    assert "INSERT INTO login_sessions" in described
    assert TOKEN_HASH not in described and "987654" not in described
