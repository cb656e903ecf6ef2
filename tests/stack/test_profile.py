"""The production profile's settings: read from the environment, validated, kept out of the repo."""

from __future__ import annotations

import stat

import pytest
import yaml

from bot.rasa_ext.inprocess_actions import IN_PROCESS_URL
from bot.stack.profile import DEFAULTS, Profile, ProfileError


def test_embedded_is_the_default_and_keeps_conversations_on_disk() -> None:
    from bot.paths import CONVERSATIONS

    profile = Profile.from_env({})
    assert profile.name == "embedded" and profile.workers == 1
    assert profile.endpoints("http://a:1/webhook") == {
        "action_endpoint": {"url": "http://a:1/webhook"},
        # No broker to run: the turn log is written in process (bot.rasa_ext.turn_broker).
        "event_broker": {"type": "bot.rasa_ext.turn_broker.TurnLogBroker", "retention_days": 180},
        # A restarted Rasa worker continues every conversation (reports/embedded-tracker.md).
        "tracker_store": {
            "type": "bot.rasa_ext.tracker_store.FastSQLTrackerStore",
            "dialect": "sqlite",
            "db": str(CONVERSATIONS),
        },
    }
    in_memory = Profile.from_env({"HUKOU_TRACKER_URL": "memory"})
    assert in_memory.endpoints("http://a:1/webhook") == {
        "action_endpoint": {"url": "http://a:1/webhook"},
        "event_broker": {"type": "bot.rasa_ext.turn_broker.TurnLogBroker", "retention_days": 180},
    }


@pytest.mark.parametrize("profile", ["embedded", "production"])
def test_the_turn_log_retention_is_read_and_checked(profile: str) -> None:
    env = {"HUKOU_PROFILE": profile, "HUKOU_TURN_RETENTION_DAYS": "30"}
    assert Profile.from_env(env).turn_retention_days == 30
    for bad in ("0", "-1", "thirty", "3651"):
        with pytest.raises(ProfileError, match="HUKOU_TURN_RETENTION_DAYS"):
            Profile.from_env({**env, "HUKOU_TURN_RETENTION_DAYS": bad})


def test_production_reads_every_connection_from_the_environment() -> None:
    env = {
        "HUKOU_PROFILE": "production",
        "HUKOU_TRACKER_URL": "postgresql://rasa:s%40cret@db.internal:5433/tracker",
        "HUKOU_REDIS_URL": "redis://:pw@cache.internal:6380/3",
        "HUKOU_AMQP_URL": "amqp://bot:pass@mq.internal:5673/",
        "HUKOU_EVENT_QUEUE": "events",
        "DATABASE_URL": "postgresql+psycopg2://faq@db.internal/faq",
        "HUKOU_WORKERS": "4",
    }
    profile = Profile.from_env(env)
    assert profile.workers == 4 and profile.faq_url == env["DATABASE_URL"]
    config = profile.endpoints("http://actions:5055/webhook")
    assert config["tracker_store"] == {
        "type": "bot.rasa_ext.tracker_store.FastSQLTrackerStore",
        "dialect": "postgresql",
        "url": "db.internal",
        "port": 5433,
        "db": "tracker",
        "username": "rasa",
        "password": "s@cret",
        "login_db": "postgres",
    }
    assert config["lock_store"]["url"] == "cache.internal" and config["lock_store"]["db"] == 3
    assert config["lock_store"]["password"] == "pw"
    broker = config["event_broker"]
    assert (broker["type"], broker["url"], broker["port"]) == ("pika", "mq.internal", 5673)
    assert (broker["username"], broker["password"], broker["queues"]) == ("bot", "pass", ["events"])


def test_production_defaults_are_this_machines_services() -> None:
    profile = Profile.from_env({"HUKOU_PROFILE": "production"})
    assert profile.tracker_url == DEFAULTS["HUKOU_TRACKER_URL"]
    assert profile.workers == 2


def test_production_runs_the_actions_in_the_workers_unless_told_otherwise() -> None:
    production = Profile.from_env({"HUKOU_PROFILE": "production"})
    assert production.actions_in_process
    assert production.endpoints("http://actions:5055/webhook")["action_endpoint"] == {
        "url": IN_PROCESS_URL
    }
    server = Profile.from_env({"HUKOU_PROFILE": "production", "HUKOU_ACTIONS": "server"})
    assert not server.actions_in_process
    assert server.endpoints("http://actions:5055/webhook")["action_endpoint"] == {
        "url": "http://actions:5055/webhook"
    }
    embedded = Profile.from_env({"HUKOU_ACTIONS": "in-process"})
    assert embedded.endpoints("http://a:1/webhook")["action_endpoint"]["url"] == IN_PROCESS_URL
    assert not Profile.from_env({}).actions_in_process  # embedded: the action server


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"HUKOU_PROFILE": "cloud"}, "HUKOU_PROFILE"),
        ({"HUKOU_PROFILE": "production", "HUKOU_WORKERS": "many"}, "HUKOU_WORKERS"),
        ({"HUKOU_PROFILE": "production", "HUKOU_WORKERS": "0"}, "HUKOU_WORKERS"),
        ({"HUKOU_PROFILE": "production", "HUKOU_TRACKER_URL": "mysql://x/y"}, "HUKOU_TRACKER_URL"),
        ({"HUKOU_PROFILE": "production", "HUKOU_REDIS_URL": "127.0.0.1:6379"}, "HUKOU_REDIS_URL"),
        ({"HUKOU_PROFILE": "production", "HUKOU_AMQP_URL": "amqp://"}, "HUKOU_AMQP_URL"),
        ({"HUKOU_PROFILE": "production", "HUKOU_ACTIONS": "inline"}, "HUKOU_ACTIONS"),
        ({"HUKOU_ACTIONS": "remote"}, "HUKOU_ACTIONS"),
    ],
)
def test_bad_settings_are_refused_by_name(env: dict[str, str], message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        Profile.from_env(env)


def test_the_endpoints_file_is_private() -> None:
    env = {"HUKOU_PROFILE": "production", "HUKOU_AMQP_URL": "amqp://bot:secret@mq/"}
    path = Profile.from_env(env).write_endpoints("http://127.0.0.1:5055/webhook")
    try:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert yaml.safe_load(path.read_text())["event_broker"]["password"] == "secret"
    finally:
        path.unlink()


@pytest.mark.parametrize("profile", ["embedded", "production"])
def test_the_lock_lifetime_is_read_with_the_profile(profile: str) -> None:
    assert Profile.from_env({"HUKOU_PROFILE": profile}).lock_lifetime == "15"
    env = {"HUKOU_PROFILE": profile, "TICKET_LOCK_LIFETIME": "40"}
    assert Profile.from_env(env).lock_lifetime == "40"
    for bad in ("0", "abc", "١٥", "-3"):
        with pytest.raises(ProfileError, match="TICKET_LOCK_LIFETIME"):
            Profile.from_env({"HUKOU_PROFILE": profile, "TICKET_LOCK_LIFETIME": bad})


def test_embedded_keeps_conversations_in_a_sqlite_file_when_told(tmp_path: object) -> None:
    path = f"{tmp_path}/conversations.sqlite3"
    profile = Profile.from_env({"HUKOU_TRACKER_URL": f"sqlite:///{path}"})
    assert profile.name == "embedded" and profile.workers == 1
    assert profile.endpoints("http://a:1/webhook", "")["tracker_store"] == {
        "type": "bot.rasa_ext.tracker_store.FastSQLTrackerStore",
        "dialect": "sqlite",
        "db": path,
    }
    with pytest.raises(ProfileError, match="sqlite:///"):
        Profile.from_env({"HUKOU_TRACKER_URL": "postgresql://db/tracker"})
