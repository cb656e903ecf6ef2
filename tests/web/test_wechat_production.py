"""Two gateways, each its own OS process, on the production profile share the WeChat channel's
dedup keys in this machine's Redis: a push and WeChat's retry of it, arriving at different
gateways at the same time, run one turn and get one answer; an unsubscribe deletes the user's
keys and their conversation in the SQL tracker store (a throwaway PostgreSQL database)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
import redis
import sqlalchemy as sa

from bot.channels.wechat.messages import fields
from tests.support.services import Postgres
from tests.support.wechat import (
    OPENID,
    FakeRasa,
    FakeWeChatApi,
    event_push,
    gateway_process,
    signed_query,
    text_push,
)

pytestmark = pytest.mark.services

REDIS_URL = "redis://127.0.0.1:6379/13"  # a database of these tests' own, emptied of our keys


@pytest.fixture()
def tracker_url() -> Iterator[str]:
    """A throwaway database holding Rasa's ``events`` table, two conversations in it."""
    server = Postgres()
    url = server.create_database()
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE events (id serial PRIMARY KEY, sender_id varchar(255), data text)"
        )
        for sender in (f"wx:{OPENID}", f"wx:{OPENID}", "wx:someone_else"):
            connection.execute(
                sa.text("INSERT INTO events (sender_id, data) VALUES (:s, '{}')"), {"s": sender}
            )
    engine.dispose()
    yield url
    server.drop_all()


@pytest.fixture()
def shared_redis() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL)
    yield client
    keys = list(client.scan_iter(match="hukou:wechat:*"))
    if keys:
        client.delete(*keys)
    client.close()


async def _at_both(urls: list[str], body: str) -> list[httpx.Response]:
    async with httpx.AsyncClient(timeout=10) as http:
        return list(
            await asyncio.gather(
                *(
                    http.post(f"{url}/wechat/oa", params=signed_query(), content=body)
                    for url in urls
                )
            )
        )


def test_a_push_and_its_retry_at_two_gateways_are_answered_once(
    shared_redis: redis.Redis, tracker_url: str
) -> None:
    rasa, api = FakeRasa(delay=0.5), FakeWeChatApi()
    production = {
        "HUKOU_PROFILE": "production",
        "HUKOU_REDIS_URL": REDIS_URL,
        "HUKOU_TRACKER_URL": tracker_url,
    }
    with (
        gateway_process(rasa.url, api.url, **production) as first,
        gateway_process(rasa.url, api.url, **production) as second,
    ):
        responses = asyncio.run(_at_both([first, second], text_push("两边都到", msg_id="7001")))
        event = event_push("subscribe", create_time=1_700_000_000)
        events = asyncio.run(_at_both([first, second], event))
        assert any(key.startswith(b"hukou:wechat:u:") for key in shared_redis.scan_iter())
        # unsubscribe at one gateway deletes what either kept, and the stored conversation
        asyncio.run(_at_both([second], event_push("unsubscribe", create_time=1_700_000_001)))
        assert not list(shared_redis.scan_iter(match=f"hukou:wechat:u:{OPENID}:*"))
    engine = sa.create_engine(tracker_url)
    with engine.connect() as connection:
        left = connection.exec_driver_sql("SELECT sender_id FROM events").scalars().all()
    engine.dispose()
    assert left == ["wx:someone_else"]
    assert [message for _, message in rasa.received] == ["两边都到", "/greet"]
    for pair, answer in ((responses, "答：两边都到"), (events, "答：/greet")):
        xml = [r for r in pair if r.headers["content-type"].startswith("application/xml")]
        assert len(xml) == 1 and fields(xml[0].content)["Content"] == answer
        assert [r.text for r in pair if r not in xml] == ["success"]
