"""Staff accounts and sign-in for the FAQ desk.

* Passwords (at least 10 characters) are hashed with Argon2id (argon2-cffi); hashes are
  upgraded on sign-in when the hasher's parameters change. A password that zxcvbn (Dropbox's
  estimator with its lists of common passwords, names and keyboard patterns) scores below
  :data:`PASSWORD_MIN_SCORE` is refused, so ``aaaaaaaaaa`` or ``1234567890`` are not
  accepted just for being long enough.
* Usernames are compared after NFKC and lower-casing, and a new one is refused when its
  skeleton (:func:`username_skeleton`, after Unicode TR39) equals an existing one's: ``аdmin1``
  with a Cyrillic ``а`` beside ``admin1``, or ``a1ice`` beside ``alice``.
* Failed sign-ins are limited per username *and* client, never per username alone: anyone
  who knows a member of staff's username could otherwise keep them out (issue 19, item 13).
  After :attr:`AuthPolicy.free_failures` failures for one username from one client, each
  further attempt from there waits :attr:`AuthPolicy.first_delay`, doubling after every
  failure up to :attr:`AuthPolicy.max_delay`; the same username from another client is not
  slowed. A client that fails :attr:`AuthPolicy.max_client_failures` times within
  :attr:`AuthPolicy.failure_window`, whatever the usernames, waits :attr:`AuthPolicy.lockout`
  (one machine guessing many names). :class:`~bot.faq.errors.LoginLocked` carries a Chinese
  message and the seconds to wait. Failures are kept for :attr:`AuthPolicy.failure_memory` so
  the admin sees repeated ones (:meth:`Auth.failed_sign_ins`). Unknown usernames cost as much
  time as known ones.
* A session is a random token given to the browser; only its SHA-256 is stored. It ends after
  :attr:`AuthPolicy.idle_timeout` without use or :attr:`AuthPolicy.absolute_timeout` after
  sign-in, whichever comes first. Each session has its own CSRF token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from confusable_homoglyphs import confusables
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from zxcvbn import zxcvbn

from bot.faq.db import session_factory
from bot.faq.errors import LoginLocked, ValidationError
from bot.faq.models import (
    AuditLog,
    LoginFailure,
    LoginSession,
    User,
    login_failures,
    login_sessions,
    users,
    utcnow,
)
from bot.faq.workflow import ROLES

PASSWORD_MIN = 10
PASSWORD_MAX = 256
PASSWORD_MIN_SCORE = 3
"""zxcvbn's score (0–4) a password needs: 3 is "safely unguessable" in its terms."""
_ZXCVBN_CHARS = 100
"""zxcvbn's time grows fast with length; past this a password is long enough anyway."""
_USERNAME = re.compile(r"[\w.-]{2,32}")


@dataclass(frozen=True)
class AuthPolicy:
    """Session lifetimes and sign-in rate limits."""

    idle_timeout: dt.timedelta = dt.timedelta(minutes=30)
    absolute_timeout: dt.timedelta = dt.timedelta(hours=8)
    free_failures: int = 3
    """Failures of one username from one client before delays start (people mistype)."""
    first_delay: dt.timedelta = dt.timedelta(seconds=30)
    """The first delay; it doubles with each further failure."""
    max_delay: dt.timedelta = dt.timedelta(minutes=15)
    """The longest delay for one username from one client."""
    failure_memory: dt.timedelta = dt.timedelta(hours=24)
    """How long a failure counts towards the delays and is shown to the admin."""
    max_client_failures: int = 20
    """Failures of one client (any usernames) within ``failure_window`` before its lockout."""
    failure_window: dt.timedelta = dt.timedelta(minutes=15)
    lockout: dt.timedelta = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class FailedSignIns:
    """A username's failed sign-ins within :attr:`AuthPolicy.failure_memory`, for the admin.

    Attributes:
        count: How many.
        clients: From how many different clients (addresses).
        last: When the latest was.
    """

    count: int
    clients: int
    last: dt.datetime


def normalize_username(username: str) -> str:
    """Usernames compare after NFKC, trimming and lower-casing (``Zhang`` is ``zhang``)."""
    return unicodedata.normalize("NFKC", username).strip().lower()


def username_skeleton(username: str) -> str:
    """What a username looks like: equal skeletons are names staff could mistake for each other.

    After Unicode TR39's skeleton: NFKC and lower-case (:func:`normalize_username`), then each
    character replaced by a representative of its look-alikes from the Unicode confusables
    data (via ``confusable_homoglyphs``): an ASCII one if there is one, else the lowest code
    point, so ``аdmin1`` (Cyrillic ``а``), ``admin1`` and ``adminl`` all become ``admin1``.
    Only one-character look-alikes are used (``rn`` is not taken for ``m``).
    """
    name = normalize_username(username)
    found = confusables.is_confusable(name, greedy=True, preferred_aliases=[]) or []
    alike = {
        item["character"]: [glyph["c"] for glyph in item["homoglyphs"] if len(glyph["c"]) == 1]
        for item in found
    }
    skeleton = []
    for char in name:
        candidates = [char, *alike.get(char, ())]
        skeleton.append(min([c for c in candidates if c.isascii()] or candidates))
    return "".join(skeleton)


def check_password(password: str, username: str) -> None:
    """Refuse a password that is too short, too long or too easy to guess.

    Raises:
        ValidationError: With the reason, in Chinese.
    """
    if len(password) < PASSWORD_MIN:
        raise ValidationError(f"密码至少需要 {PASSWORD_MIN} 个字符")
    if len(password) > PASSWORD_MAX:
        raise ValidationError(f"密码不能超过 {PASSWORD_MAX} 个字符")
    # The username counts as known to an attacker (``bob bob bob bob`` for bob).
    if zxcvbn(password[:_ZXCVBN_CHARS], user_inputs=[username])["score"] < PASSWORD_MIN_SCORE:
        raise ValidationError(
            "密码太容易被猜到（重复字符、连续数字、常见密码或含用户名），"
            "请换一个更长、更少见的密码，例如几个不相关的词组成的短语"
        )


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Auth:
    """Accounts, sign-in with rate limiting, and sessions."""

    def __init__(
        self,
        engine: Engine,
        *,
        now: Callable[[], dt.datetime] = utcnow,
        policy: AuthPolicy | None = None,
        hasher: PasswordHasher | None = None,
    ) -> None:
        """Keep accounts and sessions in ``engine``.

        Args:
            engine: A migrated database (:func:`bot.faq.db.migrate`).
            now: The clock (timezone-aware UTC); tests pass their own.
            policy: Timeouts and limits (default :class:`AuthPolicy`).
            hasher: The Argon2 hasher (default parameters of argon2-cffi).
        """
        self._sessions = session_factory(engine)
        self._now = now
        self.policy = policy or AuthPolicy()
        self._hasher = hasher or PasswordHasher()

    @cached_property
    def _dummy_hash(self) -> str:
        """A hash to check unknown usernames against, so they take as long as known ones."""
        return self._hasher.hash(secrets.token_hex(16))

    # -- accounts ------------------------------------------------------------------------

    def create_user(self, username: str, password: str, role: str) -> User:
        """Add an active account.

        Raises:
            ValidationError: Bad username or role, a short or guessable password, or the
                username is taken or looks like one that is.
        """
        name = normalize_username(username)
        if not _USERNAME.fullmatch(name):
            raise ValidationError("用户名须为 2–32 个字母、数字、汉字或 . _ -")
        if role not in ROLES:
            raise ValidationError(f"角色必须是 {'、'.join(ROLES)} 之一，收到 {role!r}")
        check_password(password, name)
        with self._sessions.begin() as session:
            if self._user(session, name) is not None:
                raise ValidationError(f"用户 {name} 已存在")
            skeleton = username_skeleton(name)
            for existing in session.execute(sa.select(users.c.username)).scalars():
                if username_skeleton(existing) == skeleton:
                    raise ValidationError(f"用户名 {name} 与已有账号 {existing} 太相似，容易混淆")
            user = User(
                username=name,
                password_hash=self._hasher.hash(password),
                role=role,
                created_at=self._now(),
            )
            session.add(user)
            self._audit(session, name, "user_add", f"角色：{role}")
        return user

    def update_user(
        self,
        admin: str,
        username: str,
        *,
        role: str | None = None,
        active: bool | None = None,
        password: str | None = None,
    ) -> User:
        """Change an account's role, deactivate or reactivate it, or set a new password.

        Deactivating an account or resetting its password ends its sessions. An admin cannot
        deactivate or demote themselves (the desk would be left without a way back in).

        Raises:
            ValidationError: Unknown account or role, a bad password, or the admin's own
                account.
        """
        name = normalize_username(username)
        if role is not None and role not in ROLES:
            raise ValidationError(f"角色必须是 {'、'.join(ROLES)} 之一，收到 {role!r}")
        if password is not None:
            check_password(password, name)
        if name == normalize_username(admin) and (active is False or role not in (None, "admin")):
            raise ValidationError("不能停用自己的账号或取消自己的管理员角色")
        with self._sessions.begin() as session:
            user = self._user(session, name)
            if user is None:
                raise ValidationError(f"没有用户 {name}")
            changes = []
            if role is not None and role != user.role:
                changes.append(f"角色：{user.role} → {role}")
                user.role = role
            if active is not None and active != user.active:
                changes.append("启用" if active else "停用")
                user.active = active
            if password is not None:
                user.password_hash = self._hasher.hash(password)
                changes.append("重设密码")
            if active is False or password is not None:
                session.execute(
                    sa.delete(login_sessions).where(login_sessions.c.user_id == user.id)
                )
            if changes:
                self._audit(session, admin, "user_update", f"{name}：{'，'.join(changes)}")
        return user

    def users(self) -> list[User]:
        """Every account, by username."""
        with self._sessions() as session:
            found: list[User] = (
                session.execute(sa.select(User).order_by(users.c.username)).scalars().all()
            )
            return found

    # -- signing in ----------------------------------------------------------------------

    def authenticate(self, username: str, password: str, client: str) -> User | None:
        """The active user whose password this is, else ``None`` (the failure is counted).

        Args:
            username: As typed.
            password: As typed.
            client: Who is asking (the client's IP address), for per-client limits.

        Raises:
            LoginLocked: This client must wait: it failed too often for this username (a
                growing delay) or for any usernames (the client lockout).
        """
        name = normalize_username(username)[:64]
        client = client[:64]
        now = self._now()
        with self._sessions.begin() as session:
            self._check_lockout(session, name, client, now)
            user = self._user(session, name)
            if user is None or not user.active:
                self._matches(self._dummy_hash, password)  # as slow as checking a real one
            elif self._matches(user.password_hash, password):
                if self._hasher.check_needs_rehash(user.password_hash):
                    user.password_hash = self._hasher.hash(password)
                # Only this client's count starts again: a stranger's failures elsewhere stay
                # slowed, and stay visible to the admin.
                session.execute(
                    sa.delete(login_failures).where(
                        login_failures.c.username == name, login_failures.c.client == client
                    )
                )
                self._audit(session, name, "login", f"来自 {client}")
                return user
            session.add(LoginFailure(at=now, username=name, client=client))
        return None

    def _matches(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def failed_sign_ins(self) -> dict[str, FailedSignIns]:
        """Recent failed sign-ins by username (known or not), for the accounts list."""
        since = self._now() - self.policy.failure_memory
        query = (
            sa.select(
                login_failures.c.username,
                sa.func.count(),
                sa.func.count(sa.distinct(login_failures.c.client)),
                sa.func.max(login_failures.c.at),
            )
            .where(login_failures.c.at >= since)
            .group_by(login_failures.c.username)
        )
        with self._sessions() as session:
            return {
                name: FailedSignIns(count=count, clients=clients, last=last)
                for name, count, clients, last in session.execute(query).all()
            }

    def _check_lockout(self, session: Session, name: str, client: str, now: dt.datetime) -> None:
        policy = self.policy
        forget = now - max(policy.failure_memory, policy.failure_window + policy.lockout)
        session.execute(sa.delete(login_failures).where(login_failures.c.at < forget))
        client_times = self._failure_times(
            session, now - policy.failure_window - policy.lockout, login_failures.c.client == client
        )
        until = self._locked_until(client_times)
        pair_times = self._failure_times(
            session,
            now - policy.failure_memory,
            login_failures.c.client == client,
            login_failures.c.username == name,
        )
        extra = len(pair_times) - policy.free_failures + 1  # the attempt now being made
        if extra > 0:
            delay = min(policy.first_delay * 2 ** min(extra - 1, 32), policy.max_delay)
            until = max(until or pair_times[-1], pair_times[-1] + delay)
        if until is not None and now < until:
            raise LoginLocked(math.ceil((until - now).total_seconds()))

    @staticmethod
    def _failure_times(
        session: Session, since: dt.datetime, *where: sa.sql.ColumnElement[bool]
    ) -> list[dt.datetime]:
        times: list[dt.datetime] = (
            session.execute(
                sa.select(login_failures.c.at)
                .where(login_failures.c.at >= since, *where)
                .order_by(login_failures.c.at)
            )
            .scalars()
            .all()
        )
        return times

    def _locked_until(self, times: list[dt.datetime]) -> dt.datetime | None:
        """When the client's latest burst of failures within the window stops counting."""
        n, policy = self.policy.max_client_failures, self.policy
        for last in range(len(times) - 1, n - 2, -1):
            if times[last] - times[last - n + 1] <= policy.failure_window:
                return times[last] + policy.lockout
        return None

    # -- sessions ------------------------------------------------------------------------

    def open_session(self, user: User) -> tuple[str, str]:
        """Start a session for ``user``: returns (session token, CSRF token).

        The session token goes in an HttpOnly cookie; the CSRF token is sent back with every
        change. Expired sessions of anyone are cleared on the way.
        """
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = self._now()
        with self._sessions.begin() as session:
            session.execute(
                sa.delete(login_sessions).where(
                    sa.or_(
                        login_sessions.c.expires_at <= now,
                        login_sessions.c.last_seen <= now - self.policy.idle_timeout,
                    )
                )
            )
            session.add(
                LoginSession(
                    token_hash=_token_hash(token),
                    user_id=user.id,
                    csrf_token=csrf,
                    created_at=now,
                    last_seen=now,
                    expires_at=now + self.policy.absolute_timeout,
                )
            )
        return token, csrf

    def session_user(self, token: str) -> tuple[User, LoginSession] | None:
        """The signed-in user and session for ``token``, or ``None``.

        A session past either timeout, or of a deactivated user, is deleted and gives
        ``None``; a live one is marked as used now.
        """
        now = self._now()
        with self._sessions.begin() as session:
            found: LoginSession | None = session.execute(
                sa.select(LoginSession).where(login_sessions.c.token_hash == _token_hash(token))
            ).scalar_one_or_none()
            if found is None:
                return None
            user: User = session.get(User, found.user_id)
            idle = now - found.last_seen >= self.policy.idle_timeout
            if idle or now >= found.expires_at or not user.active:
                session.delete(found)
                return None
            found.last_seen = now
            return user, found

    def close_session(self, token: str) -> None:
        """Sign out: forget the session (an unknown token is ignored)."""
        with self._sessions.begin() as session:
            session.execute(
                sa.delete(login_sessions).where(login_sessions.c.token_hash == _token_hash(token))
            )

    @staticmethod
    def check_csrf(session: LoginSession, token: str) -> bool:
        """Whether ``token`` is the session's CSRF token (constant-time comparison)."""
        return hmac.compare_digest(session.csrf_token.encode(), token.encode())

    # -- internals -----------------------------------------------------------------------

    def _user(self, session: Session, name: str) -> User | None:
        user: User | None = session.execute(
            sa.select(User).where(users.c.username == name)
        ).scalar_one_or_none()
        return user

    def _audit(self, session: Session, username: str, action: str, detail: str) -> None:
        session.add(AuditLog(at=self._now(), username=username, action=action, detail=detail))
