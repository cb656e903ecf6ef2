"""What the channel does with a push: within WeChat's 5 seconds, once, in the assistant's words.

WeChat drops a push's connection after 5 s and delivers it again (three times in all), and
a user whose pushes all fail sees 「该公众号暂时无法提供服务，请稍后再试」 (protocol note §1.5).
So:

* The first delivery of a push *claims* it in the :class:`~.store.Store` (``MsgId`` for a
  message, ``FromUserName + CreateTime`` for an event) and starts the turn; a repeat delivery
  never starts it again. Whoever holds the push waits at most :attr:`Channel.budget` seconds
  (≈ 4) for the answer.
* The answer is kept in the store for a while; a repeat delivery collects it when it is
  ready. Exactly one delivery *takes* the answer (a second claim), so it is sent once.
* In time: the answer is the passive reply (its first text; any further text goes through
  客服消息). Past the budget: the push is answered ``success`` (WeChat stops retrying) and
  the answer is sent through 客服消息 when it comes. An account without 客服消息 (no
  AppSecret) instead lets WeChat's retries collect it (:meth:`Channel._outlast_wechat`).
* 客服消息 are counted per user: after a user's message at most 5 in 48 h, after a subscribe
  or menu click at most 3 in a minute (§1.7); a send that would pass that is not attempted.

The turn itself is the web chat's (the gateway passes its own function in: the same masking,
worker, order and answers, :mod:`bot.web.routes.wechat`). The sender is ``wx:<OpenID>``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.channels.wechat.client import ApiError, DeliveryRefused, WeChatApi
from bot.channels.wechat.content import Option, Rendered, chosen, msgmenu, render
from bot.channels.wechat.messages import Push
from bot.channels.wechat.store import Store, user_prefix

logger = logging.getLogger(__name__)

SENDER_PREFIX = "wx:"
GREETING = "/greet"
"""What a new follower's first turn sends: the web widget's greeting on opening."""

NOT_TEXT = (
    "您好，我目前只能阅读文字消息。请用文字说说您想办理的户籍事项，"
    "例如“我在醴陵城区买了房，想把户口迁进来”。"
)
TOO_FAST = "您发送得太快了，请稍等一会儿再发。"
FAILED = "抱歉，助手暂时无法回复，请稍后再试。"
SILENT_UNTIL = 5.5
"""Seconds after its arrival at which a silent delivery ends: WeChat gave up on it at 5 s."""
NOT_TEXT_TYPES = frozenset(
    {"image", "voice", "video", "shortvideo", "location", "link", "file", "music"}
)

Turn = Callable[[str, str, bool], Awaitable[Sequence[Mapping[str, Any]]]]
"""``(sender, text, is_payload)`` → the assistant's messages. ``is_payload``: ``text`` is a
button's ``/intent`` payload, not typed words (nothing to mask)."""


class TurnFailed(Exception):
    """The assistant could not answer; the message says so to the citizen (Chinese)."""


@dataclass(frozen=True)
class Quota:
    """A 客服 allowance: ``sends`` messages within ``window`` seconds of what opened it."""

    name: str
    sends: int
    window: float


AFTER_MESSAGE = Quota("message", 5, 48 * 3600)
AFTER_EVENT = Quota("event", 3, 60)


class Channel:
    """The 公众号 channel's behaviour, independent of the web framework.

    Args:
        store: Dedup claims, answers, options and quotas (memory or Redis).
        turn: Runs one turn with the assistant (the web chat's path).
        api: The 客服 API; ``None`` when no AppSecret is configured (passive replies only).
        menu: The custom menu's click keys → payloads.
        rate_limit: ``openid`` → seconds to wait (0: allowed); counts the push.
        forget: Deletes what the assistant keeps about a sender (their conversation).
        budget: Seconds to wait for an answer before replying ``success``.
        max_chars: The longest message accepted (the web chat's limit).
        dedup_ttl: Seconds a push's claim and answer are kept (≥ 60, WeChat retries ≈ 15 s).
        clock: Wall time, for the quotas (shared by the gateway processes).
        use_msgmenu: The account may send 客服菜单 (a certified 服务号): options sent through
            客服消息 become tappable buttons instead of numbered lines.
        link_hosts: The hosts an answer may link to (the deployment's own); other links are
            reduced to their words.
    """

    def __init__(
        self,
        store: Store,
        turn: Turn,
        api: WeChatApi | None = None,
        menu: Mapping[str, str] | None = None,
        rate_limit: Callable[[str], float] | None = None,
        forget: Callable[[str], Awaitable[None]] | None = None,
        budget: float = 4.0,
        max_chars: int = 1000,
        dedup_ttl: float = 300.0,
        clock: Callable[[], float] = time.time,
        use_msgmenu: bool = False,
        link_hosts: Collection[str] = (),
    ) -> None:
        """Wire the channel; nothing is sent until a push arrives."""
        self.store = store
        self.turn = turn
        self.api = api
        self.menu = dict(menu or {})
        self.rate_limit = rate_limit
        self.forget = forget
        self.budget = budget
        self.max_chars = max_chars
        self.dedup_ttl = max(60.0, dedup_ttl)
        self.clock = clock
        self.use_msgmenu = use_msgmenu
        self.link_hosts = frozenset(link_hosts)
        self._tasks: set[asyncio.Task[Any]] = set()

    # -- the push ------------------------------------------------------------------------

    async def reply(self, push: Push) -> str | None:
        """The text to answer ``push`` with passively; ``None``: answer ``success``."""
        if push.msg_type == "event":
            return await self._event(push)
        if push.msg_type in NOT_TEXT_TYPES:
            return await self._once(push, NOT_TEXT)
        if push.msg_type != "text":
            return None
        if self.rate_limit is not None and self.rate_limit(push.from_user) > 0:
            return await self._once(push, TOO_FAST)
        text = push.content.strip()
        if not text:
            return None
        if len(text) > self.max_chars:
            return await self._once(
                push, f"消息太长了（{len(text)} 字），请控制在 {self.max_chars} 字以内。"
            )
        options = await self._options(push.from_user)
        payload = chosen(text, options, push.menu_id)
        if payload is not None:
            return await self._answer(push, payload, True, AFTER_MESSAGE)
        return await self._answer(push, text, False, AFTER_MESSAGE)

    async def _event(self, push: Push) -> str | None:
        event = push.event.lower()
        if event == "unsubscribe":
            if await self._claim(push):
                await self.forget_user(push.from_user)
            return None
        if event == "subscribe":
            return await self._answer(push, GREETING, True, AFTER_EVENT)
        if event == "click" and push.event_key in self.menu:
            return await self._answer(push, self.menu[push.event_key], True, AFTER_EVENT)
        return None

    async def forget_user(self, openid: str) -> None:
        """Delete everything kept about ``openid``: the channel's keys and the conversation."""
        removed = await self.store.delete_prefix(user_prefix(openid))
        if self.forget is not None:
            await self.forget(SENDER_PREFIX + openid)
        logger.info("wechat: unsubscribe, %d stored keys deleted", removed)

    # -- once, within the budget ---------------------------------------------------------

    def _key(self, push: Push, what: str) -> str:
        return f"{user_prefix(push.from_user)}{what}:{push.dedup_key}"

    async def _claim(self, push: Push) -> bool:
        return await self.store.claim(self._key(push, "push"), self.dedup_ttl)

    async def _once(self, push: Push, text: str) -> str | None:
        """A fixed reply, given to one delivery of the push only."""
        return text if await self._claim(push) else None

    async def _answer(self, push: Push, text: str, is_payload: bool, quota: Quota) -> str | None:
        """Run the turn once for the push, and answer it passively or through 客服消息.

        The push (its first delivery) opens the user's 客服 allowance ``quota``.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.budget
        task: asyncio.Task[Rendered] | None = None
        if await self._claim(push):
            await self._open_quota(push.from_user, quota)
            task = asyncio.create_task(self._run(push, text, is_payload))
            self._keep(task)
            done, _ = await asyncio.wait({task}, timeout=max(0.0, deadline - loop.time()))
            rendered = task.result() if done else None
        else:
            rendered = await self._collect(push, deadline)
        if rendered is not None:
            if await self._take(push):
                if len(rendered.texts) > 1:
                    rest = Rendered(rendered.texts[1:], rendered.options)
                    self._keep(asyncio.create_task(self._send(push, rest)))
                return rendered.texts[0] if rendered.texts else None
            return None
        if self.api is None:
            await self._outlast_wechat(push, task is not None, deadline - self.budget)
            return None
        if task is not None and await self._take(push):
            # Past the budget: ``success`` now, the answer through 客服消息 when it comes.
            self._keep(asyncio.create_task(self._deliver_later(push, task)))
        return None

    async def _outlast_wechat(self, push: Push, first: bool, arrived: float) -> None:
        """Without 客服消息 (no AppSecret), WeChat's own retries are the way to answer later.

        WeChat delivers a push three times in all, each after the previous one had no answer
        for 5 s (protocol note §1.5). So the first and second deliveries that have no answer
        by the budget stay silent until WeChat has given up on them (:data:`SILENT_UNTIL`
        after they arrived) and the next delivery can collect the answer; the third one
        answers ``success``. About 14 s in all, as chatgpt-on-wechat's subscription accounts.
        """
        second = not first and await self.store.claim(self._key(push, "second"), self.dedup_ttl)
        if first or second:
            loop = asyncio.get_running_loop()
            await asyncio.sleep(max(0.0, arrived + SILENT_UNTIL - loop.time()))
        else:
            logger.warning("wechat: no answer within WeChat's three deliveries, none sent")

    async def _take(self, push: Push) -> bool:
        """Whether this delivery is the one that sends the answer (exactly one is)."""
        return await self.store.claim(self._key(push, "taken"), self.dedup_ttl)

    async def _collect(self, push: Push, deadline: float) -> Rendered | None:
        """A repeat delivery: the answer the first one stored, if it comes by ``deadline``."""
        loop = asyncio.get_running_loop()
        while True:
            found = await self.store.get(self._key(push, "answer"))
            if found is not None:
                return Rendered.from_json(json.loads(found))
            if loop.time() + 0.05 > deadline:
                return None
            await asyncio.sleep(0.05)

    async def _run(self, push: Push, text: str, is_payload: bool) -> Rendered:
        """The turn, rendered for WeChat; its answer and options are stored."""
        openid = push.from_user
        try:
            messages = await self.turn(SENDER_PREFIX + openid, text, is_payload)
            rendered = render(messages, link_hosts=self.link_hosts)
            if not rendered.texts:
                rendered = Rendered([FAILED], [])
        except TurnFailed as exc:
            rendered = Rendered([str(exc) or FAILED], [])
        except Exception:
            # The citizen gets a polite text; the trace goes to the log, never to WeChat.
            logger.exception("wechat: the turn failed")
            rendered = Rendered([FAILED], [])
        try:
            await self._save_options(openid, rendered.options)
            # For a repeat delivery to collect (possibly at another gateway process).
            await self.store.put(
                self._key(push, "answer"), json.dumps(rendered.to_json()), self.dedup_ttl
            )
        except Exception:
            # The store is down: this delivery still answers; a repeat one gets ``success``.
            logger.exception("wechat: the answer could not be stored")
        return rendered

    def _keep(self, task: asyncio.Task[Any]) -> None:
        # The loop holds tasks weakly: keep a reference until each is done.
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for the turns and sends still running (tests; shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self, grace: float = 5.0) -> None:
        """At shutdown: let running turns and sends finish for ``grace`` seconds, then stop."""
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.drain(), grace)
        for task in list(self._tasks):
            task.cancel()
        await self.store.close()

    # -- options -------------------------------------------------------------------------

    async def _options(self, openid: str) -> list[Option]:
        found = await self.store.get(f"{user_prefix(openid)}options")
        return Rendered.from_json({"options": json.loads(found)}).options if found else []

    async def _save_options(self, openid: str, options: list[Option]) -> None:
        # A number means the options of the turn before it; a turn without options ends them.
        await self.store.put(
            f"{user_prefix(openid)}options",
            json.dumps(Rendered([], options).to_json()["options"]),
            AFTER_MESSAGE.window,
        )

    # -- 客服消息 --------------------------------------------------------------------------

    async def _deliver_later(self, push: Push, task: asyncio.Task[Rendered]) -> None:
        await self._send(push, await task)

    async def _open_quota(self, openid: str, quota: Quota) -> None:
        """The user's message (or event) opens ``quota``'s allowance anew."""
        await self.store.put(
            f"{user_prefix(openid)}quota:{quota.name}",
            json.dumps({"left": quota.sends, "until": self.clock() + quota.window}),
            quota.window,
        )

    async def _spend(self, openid: str) -> bool:
        """Take one send from the allowance that ends first; ``False`` when none is left."""
        now = self.clock()
        best: tuple[float, str, dict[str, Any]] | None = None
        for quota in (AFTER_EVENT, AFTER_MESSAGE):
            key = f"{user_prefix(openid)}quota:{quota.name}"
            found = await self.store.get(key)
            if found is None:
                continue
            data = json.loads(found)
            if (
                data["left"] > 0
                and data["until"] > now
                and (best is None or data["until"] < best[0])
            ):
                best = (data["until"], key, data)
        if best is None:
            return False
        until, key, data = best
        data["left"] -= 1
        await self.store.put(key, json.dumps(data), max(1.0, until - now))
        return True

    async def _send(self, push: Push, rendered: Rendered) -> None:
        """Send the texts through 客服消息, within the user's allowance; stop at a refusal.

        With :attr:`use_msgmenu`, a last text ending with the options goes as a 客服菜单; if
        WeChat refuses that (not a certified account), as the text it is.
        """
        if self.api is None:
            logger.warning("wechat: an answer came after the budget and no AppSecret is set")
            return
        texts = rendered.texts
        for number, text in enumerate(texts, 1):
            if not await self._spend(push.from_user):
                held = len(texts) - number + 1
                logger.warning("wechat: 客服 allowance used up, %d text(s) not sent", held)
                return
            menu = msgmenu(text, rendered.options) if self.use_msgmenu else None
            try:
                if menu is not None:
                    try:
                        await self.api.send_menu(push.from_user, menu)
                        continue
                    except DeliveryRefused:
                        raise
                    except ApiError as exc:
                        logger.warning("wechat: msgmenu refused (%s), sent as text", exc.errcode)
                await self.api.send_text(push.from_user, text)
            except DeliveryRefused as exc:
                logger.warning("wechat: 客服 send refused (%s), not retried", exc.errcode)
                return
            except ApiError as exc:
                logger.error("wechat: 客服 send failed (%s %s)", exc.errcode, exc.errmsg)
                return
