"""The FAQ desk as the web gateway serves it: the store and accounts, and their presenters.

:class:`FaqDesk` holds the desk's database (:class:`~bot.faq.store.FaqStore` and
:class:`~bot.faq.auth.Auth` on one engine); the routes get it through
:data:`bot.web.deps.Desk`. The presenters put what the store returns into the pages' JSON,
with statuses, roles and actions in Chinese. The data layer itself is :mod:`bot.faq`.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.dialogue.answers import faq_answer, one_bubble
from bot.faq.auth import Auth, FailedSignIns
from bot.faq.content import ANSWER_MAX, QUESTION_MAX, multi_line, one_line
from bot.faq.db import make_engine, migrate
from bot.faq.errors import ValidationError
from bot.faq.models import User
from bot.faq.records import EntryView, VersionView
from bot.faq.store import FaqStore
from bot.faq.workflow import ROLE_NAMES, STATUS_NAMES, TRANSITIONS
from bot.policy.clock import CHINA
from bot.policy.engine import later_changes
from bot.policy.model import Knowledge
from bot.policy.present import (
    changes_block,
    clause_brief,
    policies_block,
    policy_block,
    validity_notice,
)
from bot.web.schemas import PreviewIn
from bot.web.settings import Settings

log = logging.getLogger(__name__)

OTHER_TOPIC = "其他问题"
UNNAMED_INTERPRETER = (
    "醴陵市户籍政策助手（由助手的编辑、审核人员依据政策原文整理；未注明解读部门，以派出所答复为准）"
)
"""What ``/faq`` names as 解读机关 when none is configured: never a department's name (the
entries are written and reviewed on this desk; which department its staff belong to is a
setting, ``HUKOU_FAQ_INTERPRETER``, not something the page may guess)."""
ACTION_NAMES = {
    "create": "新建",
    "update": "修改",
    "submit": "提交审核",
    "approve": "审核通过",
    "reject": "退回修改",
    "publish": "发布",
    "archive": "归档",
    "restore": "恢复版本",
    "login": "登录",
    "user_add": "新建账号",
    "user_update": "修改账号",
    "import": "导入",
    "review_by": "设定复核日期",
    "schedule": "定时发布",
}


FULL_TEXT_PAGE = "/policy"
"""The page with the policy's full text (:mod:`bot.web.routes.pages`), linked from ``/faq``."""


def china_day(at: dt.datetime | None) -> str | None:
    """``at``'s date in China (``YYYY-MM-DD``), as ``/faq`` shows an entry's dates."""
    return at.astimezone(CHINA).date().isoformat() if at else None


def user_dict(user: User) -> dict[str, Any]:
    """A user as the pages show them (never the password hash)."""
    return {
        "username": user.username,
        "role": user.role,
        "role_name": ROLE_NAMES.get(user.role, user.role),
        "active": user.active,
        "created_at": user.created_at.isoformat(),
    }


def failures_dict(failures: FailedSignIns | None) -> dict[str, Any]:
    """A username's recent failed sign-ins for the accounts list (``None``: there were none).

    So the admin notices someone guessing a member of staff's password: the delays only slow
    the guesser's own client, they no longer lock the account.
    """
    return {
        "failed_sign_ins": failures.count if failures else 0,
        "failed_clients": failures.clients if failures else 0,
        "last_failed_at": failures.last.isoformat() if failures else None,
    }


def entry_dict(entry: EntryView) -> dict[str, Any]:
    """An entry with its status in Chinese."""
    return {**entry.to_dict(), "status_name": STATUS_NAMES[entry.status]}


def readable_diff(lines: list[str]) -> list[str]:
    """The store's diff lines with statuses in Chinese (``-draft`` → ``-草稿``)."""
    readable, in_status = [], False
    for line in lines:
        if line.startswith("--- "):
            in_status = line.startswith("--- 状态")
        elif in_status and line[:1] in ("-", "+") and line[1:] in STATUS_NAMES:
            line = line[0] + STATUS_NAMES[line[1:]]
        readable.append(line)
    return readable


def allowed_actions(user: User, entry: EntryView) -> list[str]:
    """The workflow steps ``user`` may take on ``entry`` now (what the page offers).

    Read from :data:`~bot.faq.workflow.TRANSITIONS`, the table the store enforces; this only
    spares staff buttons that would fail. A step judged on the restored version (restore) is
    listed when role and status allow it; :func:`restorable` then says which versions.
    """
    own = entry.author == user.username
    return [
        action
        for action, step in TRANSITIONS.items()
        if step.allows(user.role, entry.status, own=own and step.judged_on == "latest")
    ]


def restorable(user: User, entry: EntryView, version: VersionView) -> bool:
    """Whether ``user`` may restore ``version`` of ``entry`` (its 恢复此版本 button).

    The same rule the store enforces: a version that was published, other than the latest,
    and not written by ``user`` (restoring is publishing, so the four-eyes rule applies).
    """
    step = TRANSITIONS["restore"]
    return (
        version.status == "published"
        and version.number != entry.version
        and step.allows(user.role, entry.status, own=version.author == user.username)
    )


class FaqDesk:
    """The FAQ desk's store and accounts on one database, for the web gateway."""

    def __init__(
        self,
        engine: Engine,
        kb: Knowledge,
        *,
        secure_cookies: bool = False,
        trusted_proxies: int = 0,
        interpreter: str = "",
    ) -> None:
        """Serve the desk from ``engine`` (migrated on the first :meth:`ready`).

        Args:
            engine: The FAQ desk's database.
            kb: The policy; entries may cite only its clauses.
            secure_cookies: Mark the session cookie ``Secure`` (HTTPS only).
            trusted_proxies: The proxies in front of the gateway: failed sign-ins are counted
                per client as :func:`bot.web.ratelimit.client_address` finds it.
            interpreter: The 解读机关 ``/faq`` names (``HUKOU_FAQ_INTERPRETER``); empty: the
                page says that the assistant compiled the answers, naming no department.
        """
        self.engine = engine
        self.kb = kb
        self.store = FaqStore(engine, kb.clauses)
        self.auth = Auth(engine)
        self.secure_cookies = secure_cookies
        self.trusted_proxies = trusted_proxies
        self.interpreter = interpreter.strip()
        self._migrated = False
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, kb: Knowledge) -> FaqDesk:
        """The desk on ``settings.database_url``, migrated now if the database answers.

        The database is ``settings.database_url``, else :func:`bot.paths.faq_database_url`
        (``DATABASE_URL``, else the SQLite file ``var/hukou.sqlite3``). If it cannot be reached
        the gateway still starts (the chat does not need it), the failure is logged and the
        FAQ routes answer 503 until the database can be migrated.
        """
        desk = cls(
            make_engine(settings.database_url),
            kb,
            secure_cookies=settings.secure_cookies,
            trusted_proxies=settings.trusted_proxies,
            interpreter=settings.faq_interpreter,
        )
        try:
            desk.ready()
        except SQLAlchemyError as exc:
            log.error("FAQ desk database unavailable at start-up: %s", exc)
        return desk

    def close(self) -> None:
        """Close the database's pooled connections (when the gateway stops)."""
        self.engine.dispose()

    def ready(self) -> None:
        """Bring the database to the latest schema, once.

        Raises:
            SQLAlchemyError: The database cannot be reached or upgraded.
        """
        if self._migrated:
            return
        with self._lock:
            if not self._migrated:
                migrate(self.engine)
                self._migrated = True

    def publish_due(self) -> list[int]:
        """Publish the entries whose 定时发布 time has come (the gateway calls this often).

        A database that cannot be reached is logged and tried again next time.
        """
        try:
            self.ready()
            return self.store.publish_due()
        except SQLAlchemyError as exc:
            log.warning("scheduled publishing skipped: %s", exc)
            return []

    def detail(self, user: User, entry: EntryView) -> dict[str, Any]:
        """The entry, its versions and audit trail, and what ``user`` may do with it."""
        versions = [
            {
                **version.to_dict(),
                "status_name": STATUS_NAMES[version.status],
                "action_name": ACTION_NAMES.get(version.action, version.action),
                "restorable": restorable(user, entry, version),
            }
            for version in self.store.versions(entry.id)
        ]
        audit = [
            {**row.to_dict(), "action_name": ACTION_NAMES.get(row.action, row.action)}
            for row in self.store.audit(entry.id)
        ]
        return {
            "entry": entry_dict(entry),
            "versions": versions,
            "audit": audit,
            "actions": allowed_actions(user, entry),
        }

    def published(self, today: dt.date) -> dict[str, Any]:
        """The published entries with their cited clauses, grouped by their first tag."""
        groups: dict[str, list[dict[str, Any]]] = {}
        for entry in self.store.published():
            item = {
                "id": entry.id,
                "key": entry.key,
                "question": entry.question,
                "answer": entry.answer,
                "tags": list(entry.tags),
                "version": entry.version,
                "clauses": [
                    clause_brief(self.kb.clause(clause_id))
                    for clause_id in entry.clause_ids
                    if clause_id in self.kb.clauses
                ],
                "changes": changes_block(
                    later_changes(self.kb, entry.clause_ids, today), self.kb, today
                ),
                "first_published": china_day(entry.first_published_at),
                "updated": china_day(entry.published_at),
                "review_by": entry.review_by.isoformat() if entry.review_by else None,
            }
            groups.setdefault(entry.tags[0] if entry.tags else OTHER_TOPIC, []).append(item)
        order = sorted(groups, key=lambda tag: (tag == OTHER_TOPIC, -len(groups[tag]), tag))
        return {
            "count": sum(len(items) for items in groups.values()),
            "groups": [{"tag": tag, "entries": groups[tag]} for tag in order],
            "notice": validity_notice(self.kb, today),
            "policy": policy_block(self.kb.meta, today),
            "documents": policies_block(self.kb, today)["documents"],
            "interpreter": {
                "name": self.interpreter or UNNAMED_INTERPRETER,
                "configured": bool(self.interpreter),
            },
            "full_text": FULL_TEXT_PAGE,
        }

    def preview(self, body: PreviewIn, today: dt.date) -> dict[str, Any]:
        """The assistant's answer for unsaved text, exactly as it would be sent.

        The text is tidied as the store would save it, so the preview shows what citizens
        will get. Unknown clause ids are refused.
        """
        question = one_line(body.question, "问题", QUESTION_MAX)
        answer = multi_line(body.answer, "答案", ANSWER_MAX)
        clause_ids = list(dict.fromkeys(one_line(c, "条款编号", 32) for c in body.clause_ids))
        unknown = [clause_id for clause_id in clause_ids if clause_id not in self.kb.clauses]
        if unknown:
            raise ValidationError(f"未知的条款编号：{'、'.join(unknown)}")
        text, payload = faq_answer(
            self.kb, today, question=question, answer=answer, clause_ids=clause_ids
        )
        return {"text": one_bubble(text), "payload": payload}
