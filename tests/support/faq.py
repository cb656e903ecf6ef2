"""The FAQ desk in tests: accounts, a settable clock, entries published through the workflow.

Entries are published the real way (editor writes, reviewer publishes). The questions
:data:`ASKED`, :data:`SUGGESTED`, :data:`NOT_ASKED` and :data:`SITUATIONS` are about the
entries of ``tests/data/faq_entries.yml``; the matcher tests and ``benchmarks/faq.py`` use them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher

from bot.faq.auth import Auth
from bot.faq.db import make_engine, migrate
from bot.faq.exchange import import_yaml
from bot.faq.records import EntryView
from bot.faq.store import FaqStore
from bot.paths import ROOT
from bot.policy import load_knowledge

ENTRIES_FILE = ROOT / "tests" / "data" / "faq_entries.yml"
PASSWORD = "correct horse battery"
"""Every test account's password."""
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
"""Argon2id with small costs: the tests check behaviour, not the work factor."""
START = dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.timezone.utc)
"""Where a :class:`Clock` starts."""

# Written by someone else than the entries' author, none of them a copy of a phrasing.
ASKED = [
    ("我搬进城落户，家里的宅基地还保得住吗", "land_rights"),
    ("进城以后承包的地要交回去吗", "land_rights"),
    ("农业户口跟非农户口现在还有区别吗", "hukou_type"),
    ("拿了居住证可以享受什么", "residence_permit_rights"),
    ("居住证持有人享受哪些权利", "residence_permit_rights"),
    ("居住证到底有啥用处", "residence_permit_rights"),
    ("孩子没有生育证明可以登记户口吗", "newborn_without_certificate"),
    ("小孩跟着我们在醴陵城里上学有保障吗", "children_school"),
    ("政府会逼我们农民把户口迁进城吗", "not_forced"),
    ("城镇居民还能把户口迁到农村吗", "move_to_village"),
]
# Ranked first, but too far from every phrasing to answer outright: offered as a suggestion.
SUGGESTED = [("我能把户口迁回农村老家吗", "move_to_village")]
# Situations, not questions: the assessment answers them (the matcher must not be sure).
SITUATIONS = ["我在城里租了房子想把户口迁过来", "退伍回来想把户口迁回村里", "离婚了户口怎么办"]
NOT_ASKED = [
    "今天天气怎么样",
    "我想办护照",
    "驾照过期了怎么换",
    "社保卡丢了怎么补办",
    "你好",
    "😀😀😀",
    "",
]

NEWBORN = {
    "key": "newborn_documents",
    "question": "孩子上户口要带什么材料？",
    "paraphrases": ["新生儿落户需要哪些材料", "宝宝怎么上户口"],
    "answer": "带出生医学证明和父母的户口簿、身份证。",
    "clause_ids": ["3.1.1"],
    "tags": ["新生儿"],
}
"""One entry's content, as an editor would write it."""


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


def desk(url: str) -> FaqStore:
    """A store on the migrated database at ``url`` with users ``editor`` and ``reviewer``."""
    engine = make_engine(url)
    migrate(engine)
    auth = Auth(engine, hasher=FAST_HASHER)
    existing = {user.username for user in auth.users()}
    for name in ("editor", "reviewer"):
        if name not in existing:
            auth.create_user(name, PASSWORD, name)
    return FaqStore(engine, load_knowledge().clauses)


def publish(store: FaqStore, data: Mapping[str, object]) -> EntryView:
    """Create, submit, approve and publish one entry."""
    entry = store.create("editor", data)
    store.submit("editor", entry.id)
    store.approve("reviewer", entry.id)
    return store.publish("reviewer", entry.id)


def published_entry(store: FaqStore, data: dict[str, Any] = NEWBORN) -> EntryView:
    """An entry written by the editor, approved by the reviewer, published by reviewer2."""
    entry = store.create("editor", data)
    store.submit("editor", entry.id)
    store.approve("reviewer", entry.id, "内容准确")
    return store.publish("reviewer2", entry.id)


def publish_file(store: FaqStore, path: Path = ENTRIES_FILE) -> list[EntryView]:
    """Import the YAML file as submitted entries and publish them all."""
    report = import_yaml(store, "editor", path)
    assert not report.errors, report.errors
    published = []
    for entry in report.created:
        if entry.status == "draft":
            store.submit("editor", entry.id)
        store.approve("reviewer", entry.id)
        published.append(store.publish("reviewer", entry.id))
    return published
