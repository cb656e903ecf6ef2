"""Publishing FAQ entries for tests through the real workflow: editor writes, reviewer publishes."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from argon2 import PasswordHasher

from bot.faq.auth import Auth
from bot.faq.db import make_engine, migrate
from bot.faq.exchange import import_yaml
from bot.faq.records import EntryView
from bot.faq.store import FaqStore
from bot.policy import load_knowledge

ENTRIES_FILE = Path(__file__).resolve().parents[1] / "data" / "faq_entries.yml"
PASSWORD = "correct horse battery"
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


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
