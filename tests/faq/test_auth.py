"""Accounts, password hashing, sign-in rate limiting, sessions and CSRF."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from typing import Any

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from bot.faq.auth import Auth, AuthPolicy
from bot.faq.errors import LoginLocked, ValidationError
from bot.faq.models import User
from tests.support.faq import FAST_HASHER, PASSWORD, Clock


@pytest.fixture
def alice(auth: Auth) -> str:
    auth.create_user("Alice", PASSWORD, "editor")
    return "alice"


@pytest.fixture
def signed_in(auth: Auth, alice: str) -> tuple[User, str, str]:
    """Alice signed in: her user, session token and CSRF token."""
    user = auth.authenticate(alice, PASSWORD, "10.0.0.1")
    assert user is not None
    return (user, *auth.open_session(user))


def column(engine: sa.engine.Engine, sql: str) -> list[object]:
    with engine.connect() as connection:
        return [row[0] for row in connection.execute(sa.text(sql))]


def test_password_is_stored_as_an_argon2id_hash(
    auth: Auth, alice: str, engine: sa.engine.Engine
) -> None:
    [stored] = column(engine, "SELECT password_hash FROM users")
    assert isinstance(stored, str) and stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert PasswordHasher().verify(stored, PASSWORD)


def test_hash_is_upgraded_when_the_parameters_change(
    engine: sa.engine.Engine, clock: Clock, auth: Auth, alice: str
) -> None:
    stronger = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    assert Auth(engine, now=clock, hasher=stronger).authenticate(alice, PASSWORD, "c") is not None
    [stored] = column(engine, "SELECT password_hash FROM users")
    assert isinstance(stored, str) and "m=2048,t=2,p=1" in stored


@pytest.mark.parametrize(
    ("username", "password", "role", "message"),
    [
        ("bob", "short", "editor", "密码至少需要 10 个字符"),
        ("bob", "x" * 257, "editor", "密码不能超过 256 个字符"),
        ("bob", PASSWORD, "boss", "角色必须是 editor、reviewer、admin 之一"),
        ("b", PASSWORD, "editor", "用户名须为 2–32 个"),
        ("bob smith", PASSWORD, "editor", "用户名须为"),
        ("ALICE", PASSWORD, "admin", "用户 alice 已存在"),
        # Issue 19, item 12: long enough, but guessed at once; a look-alike of alice.
        ("bob", "aaaaaaaaaa", "editor", "密码太容易被猜到"),
        ("bob", "1234567890", "editor", "密码太容易被猜到"),
        ("bob", "password123", "editor", "密码太容易被猜到"),
        ("bob", "bob bob bob bob", "editor", "密码太容易被猜到"),
        ("аlice", PASSWORD, "editor", "与已有账号 alice 太相似"),  # Cyrillic а
        ("ａｌｉｃｅ", PASSWORD, "editor", "用户 alice 已存在"),  # full-width: NFKC
        ("a1ice", PASSWORD, "editor", "与已有账号 alice 太相似"),
    ],
)
def test_create_user_errors(
    auth: Auth, alice: str, username: str, password: str, role: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        auth.create_user(username, password, role)
    assert [u.username for u in auth.users()] == ["alice"]


def test_users_are_listed_and_creation_is_audited(
    auth: Auth, alice: str, engine: sa.engine.Engine
) -> None:
    auth.create_user("王芳", PASSWORD, "reviewer")
    assert [(u.username, u.role, u.active) for u in auth.users()] == [
        ("alice", "editor", True),
        ("王芳", "reviewer", True),
    ]
    assert column(engine, "SELECT detail FROM faq_audit_log WHERE action = 'user_add'") == [
        "角色：editor",
        "角色：reviewer",
    ]


def test_authenticate(auth: Auth, alice: str, engine: sa.engine.Engine) -> None:
    user = auth.authenticate(" ALICE ", PASSWORD, "10.0.0.1")
    assert user is not None and user.username == "alice"
    assert auth.authenticate(alice, "wrong password", "10.0.0.1") is None
    assert auth.authenticate("nobody", PASSWORD, "10.0.0.1") is None
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE users SET active = false"))
    assert auth.authenticate(alice, PASSWORD, "10.0.0.1") is None
    assert column(engine, "SELECT action FROM faq_audit_log WHERE username = 'alice'") == [
        "user_add",
        "login",
    ]


def test_a_stranger_cannot_lock_staff_out(auth: Auth, alice: str, clock: Clock) -> None:
    # Issue 19, item 13: five wrong passwords from anywhere locked alice out everywhere.
    for _ in range(12):
        with contextlib.suppress(LoginLocked):  # the stranger's own client is slowed
            auth.authenticate(alice, "wrong password", "203.0.113.7")
        clock.advance(minutes=1)
    assert auth.authenticate(alice, PASSWORD, "10.0.0.9") is not None, "her own machine"


def test_failures_from_one_client_for_one_name_get_growing_delays(
    auth: Auth, alice: str, clock: Clock
) -> None:
    for _ in range(3):  # the first three are free: people mistype
        assert auth.authenticate(alice, "wrong password", "203.0.113.7") is None
    waits = []
    for _ in range(6):
        with pytest.raises(LoginLocked) as caught:
            auth.authenticate(alice, PASSWORD, "203.0.113.7")
        waits.append(caught.value.retry_after)
        clock.advance(seconds=caught.value.retry_after)
        assert auth.authenticate(alice, "wrong password", "203.0.113.7") is None
    assert waits == [30, 60, 120, 240, 480, 900], "doubling, at most 15 minutes"
    assert str(LoginLocked(30)) == "登录失败次数过多，请 30 秒后再试。"
    with pytest.raises(LoginLocked, match="请 15 分钟后再试"):
        auth.authenticate(alice, PASSWORD, "203.0.113.7")


def test_a_successful_sign_in_clears_only_its_own_client(
    auth: Auth, alice: str, clock: Clock
) -> None:
    for _ in range(3):
        auth.authenticate(alice, "wrong password", "10.0.0.1")
        auth.authenticate(alice, "wrong password", "203.0.113.7")
    clock.advance(seconds=30)
    assert auth.authenticate(alice, PASSWORD, "10.0.0.1") is not None
    for _ in range(3):
        assert auth.authenticate(alice, "wrong password", "10.0.0.1") is None, "a new count"
    assert auth.authenticate(alice, "wrong password", "203.0.113.7") is None
    with pytest.raises(LoginLocked, match="请 1 分钟后再试"):
        auth.authenticate(alice, PASSWORD, "203.0.113.7")


def test_failures_are_forgotten_after_a_day(auth: Auth, alice: str, clock: Clock) -> None:
    for _ in range(3):
        auth.authenticate(alice, "wrong password", "10.0.0.1")
    clock.advance(hours=24, seconds=1)
    for _ in range(3):
        assert auth.authenticate(alice, "wrong password", "10.0.0.1") is None


def test_many_failures_lock_the_client(auth: Auth, alice: str) -> None:
    for number in range(20):  # one machine trying many names
        assert auth.authenticate(f"a{number}", "guess guess", "203.0.113.7") is None
    with pytest.raises(LoginLocked):
        auth.authenticate(alice, PASSWORD, "203.0.113.7")
    assert auth.authenticate(alice, PASSWORD, "10.0.0.1") is not None, "other clients may"


def test_the_admin_sees_repeated_failures(auth: Auth, alice: str, clock: Clock) -> None:
    for client in ("203.0.113.7", "203.0.113.7", "198.51.100.2"):
        auth.authenticate(alice, "wrong password", client)
        clock.advance(minutes=1)
    auth.authenticate("nobody", "wrong password", "203.0.113.7")
    failures = auth.failed_sign_ins()
    assert set(failures) == {"alice", "nobody"}
    assert (failures["alice"].count, failures["alice"].clients) == (3, 2)
    assert failures["alice"].last == clock.now - dt.timedelta(minutes=1)


def test_policy_is_configurable(engine: sa.engine.Engine, clock: Clock, alice: str) -> None:
    strict = AuthPolicy(free_failures=1, first_delay=dt.timedelta(minutes=1))
    auth = Auth(engine, now=clock, policy=strict, hasher=FAST_HASHER)
    auth.authenticate(alice, "wrong password", "c")
    with pytest.raises(LoginLocked, match="请 1 分钟后再试"):
        auth.authenticate(alice, PASSWORD, "c")


def test_sessions_store_only_a_hash_of_the_token(
    auth: Auth, signed_in: tuple[User, str, str], engine: sa.engine.Engine
) -> None:
    _, token, csrf = signed_in
    assert len(token) >= 40 and token != csrf
    assert column(engine, "SELECT token_hash FROM login_sessions") == [
        hashlib.sha256(token.encode()).hexdigest()
    ]
    found = auth.session_user(token)
    assert found is not None and found[0].username == "alice"
    assert auth.session_user(token + "x") is None
    auth.close_session(token)
    assert auth.session_user(token) is None
    assert column(engine, "SELECT count(*) FROM login_sessions") == [0]


def test_session_idle_timeout(
    auth: Auth, signed_in: tuple[User, str, str], clock: Clock, engine: sa.engine.Engine
) -> None:
    _, token, _ = signed_in
    for _ in range(3):
        clock.advance(minutes=29)
        assert auth.session_user(token) is not None, "use keeps the session alive"
    clock.advance(minutes=30)
    assert auth.session_user(token) is None
    assert column(engine, "SELECT count(*) FROM login_sessions") == [0], "expired row deleted"


def test_session_absolute_timeout(
    auth: Auth, signed_in: tuple[User, str, str], clock: Clock
) -> None:
    _, token, _ = signed_in
    for _ in range(16):  # 7 h 59 min 44 s
        clock.advance(minutes=29, seconds=59)
        assert auth.session_user(token) is not None
    clock.advance(seconds=20)
    assert auth.session_user(token) is None, "8 hours after sign-in, however active"


def test_expired_sessions_are_cleared_when_a_new_one_opens(
    auth: Auth, signed_in: tuple[User, str, str], clock: Clock, engine: sa.engine.Engine
) -> None:
    user, _, _ = signed_in
    clock.advance(hours=1)
    auth.open_session(user)
    assert column(engine, "SELECT count(*) FROM login_sessions") == [1]


def test_deactivated_users_lose_their_sessions(
    auth: Auth, signed_in: tuple[User, str, str], engine: sa.engine.Engine
) -> None:
    _, token, _ = signed_in
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE users SET active = false"))
    assert auth.session_user(token) is None


def test_csrf(auth: Auth, signed_in: tuple[User, str, str]) -> None:
    user, token, csrf = signed_in
    found = auth.session_user(token)
    assert found is not None
    session = found[1]
    assert Auth.check_csrf(session, csrf)
    assert not Auth.check_csrf(session, csrf[:-1])
    assert not Auth.check_csrf(session, "")
    assert not Auth.check_csrf(session, "令牌")
    _, other_csrf = auth.open_session(user)
    assert not Auth.check_csrf(session, other_csrf), "each session has its own token"


def test_admins_change_roles_deactivate_and_reset_passwords(
    auth: Auth, signed_in: tuple[User, str, str], engine: sa.engine.Engine
) -> None:
    auth.create_user("boss", PASSWORD, "admin")
    _, token, _ = signed_in
    assert auth.update_user("boss", "alice", role="reviewer").role == "reviewer"
    assert auth.session_user(token) is not None  # a role change keeps the session
    auth.update_user("boss", "ALICE", active=False)
    assert auth.session_user(token) is None  # deactivating ends it
    assert auth.authenticate("alice", PASSWORD, "10.0.0.2") is None
    auth.update_user("boss", "alice", active=True, password="a brand new passphrase")
    assert auth.authenticate("alice", PASSWORD, "10.0.0.2") is None
    assert auth.authenticate("alice", "a brand new passphrase", "10.0.0.2") is not None
    actions = column(
        engine, "SELECT detail FROM faq_audit_log WHERE action = 'user_update' ORDER BY id"
    )
    assert actions == [
        "alice：角色：editor → reviewer",
        "alice：停用",
        "alice：启用，重设密码",
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"username": "boss", "active": False}, "不能停用自己"),
        ({"username": "boss", "role": "editor"}, "不能停用自己"),
        ({"username": "nobody", "role": "editor"}, "没有用户"),
        ({"username": "alice", "role": "owner"}, "角色必须是"),
        ({"username": "alice", "password": "short"}, "密码至少需要 10 个字符"),
    ],
)
def test_account_changes_that_are_refused(
    auth: Auth, alice: str, change: dict[str, Any], message: str
) -> None:
    auth.create_user("boss", PASSWORD, "admin")
    change = dict(change)
    username = change.pop("username")
    with pytest.raises(ValidationError, match=message):
        auth.update_user("boss", username, **change)


def test_a_weak_password_is_refused_on_reset_too(auth: Auth, alice: str) -> None:
    auth.create_user("boss", PASSWORD, "admin")
    with pytest.raises(ValidationError, match="密码太容易被猜到"):
        auth.update_user("boss", "alice", password="1234567890")


def test_unlike_usernames_are_accepted(auth: Auth, alice: str) -> None:
    for name in ("admin1", "alicia", "王芳", "chen.li"):
        auth.create_user(name, PASSWORD, "editor")
    with pytest.raises(ValidationError, match="与已有账号 admin1 太相似"):
        auth.create_user("\u0430dmin1", PASSWORD, "editor")
