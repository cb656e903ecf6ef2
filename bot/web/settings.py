"""The gateway's settings: the one place in :mod:`bot.web` that reads the environment.

Every field is read from the ``HUKOU_``-prefixed variable of its name (``HUKOU_RASA_URLS``,
``HUKOU_RATE_LIMIT_PER_MINUTE`` …); tests pass a :class:`Settings` to
:func:`bot.web.app.create_app` instead. The shape is fastapi/full-stack-fastapi-template's
``backend/app/core/config.py`` on pydantic 1.10 (``class Config: env_prefix``).
"""

from __future__ import annotations

from pydantic import BaseSettings, Field, validator


class Settings(BaseSettings):
    """Gateway settings, read from ``HUKOU_*`` environment variables."""

    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str = Field(default="", repr=False)
    """The Rasa workers' ``--auth-token`` (``HUKOU_RASA_TOKEN``, a secret): sent as
    ``?token=`` to every Rasa HTTP API route the gateway calls (``/status``, ``/model/parse``).
    Empty: the workers run without one. Kept out of the settings' ``repr`` so that it is never
    logged. The REST channel's webhook is not covered by it (Rasa checks no token there)."""
    rasa_urls: str = ""
    """Several Rasa workers, comma-separated (``HUKOU_RASA_URLS``); empty: ``rasa_url`` alone.
    Each conversation stays on one worker (:mod:`bot.web.workers`)."""
    worker_retry_seconds: float = 5.0
    """How long a worker that refused a connection is routed around."""
    worker_concurrency: int = 4
    """Messages sent to one worker at a time (``HUKOU_WORKER_CONCURRENCY``); the others wait
    in line at the gateway, first come first served. 0: no limit. With 32 conversations on
    2 workers, 4 gave the lowest p95 and p99, no limit the highest
    (``reports/worker-concurrency.md``)."""
    worker_queue_seconds: float = 10.0
    """The longest a message waits in that line (``HUKOU_WORKER_QUEUE_SECONDS``); after that
    it is not sent and the citizen is asked to send it again (503)."""
    action_url: str = "http://127.0.0.1:5055"
    """The action server (``HUKOU_ACTION_URL``); empty when the actions run inside the Rasa
    workers (``HUKOU_ACTIONS=in-process``), which then answer for them."""
    max_message_chars: int = 1000
    max_body_bytes: int = 128 * 1024
    """The largest request body accepted (``HUKOU_MAX_BODY_BYTES``), larger is a 413 before it
    is parsed. The largest legitimate one, an FAQ entry with 50 wordings and the answer at
    their limits and every character ``\\u``-escaped, is about 75 KB. 0: no limit."""
    upstream_timeout: float = 30.0
    rate_limit_per_minute: int = 60
    trusted_proxies: int = Field(default=0, ge=0, le=10)
    """How many proxies of our own stand in front of the gateway (``HUKOU_TRUSTED_PROXIES``):
    the client is the address that many hops from the right of ``X-Forwarded-For``
    (:func:`bot.web.ratelimit.client_address`). 0 (direct clients): the header is ignored.
    Behind the Kubernetes Ingress (one ingress-nginx hop): 1."""
    trust_forwarded: bool = False
    """Replaced by ``trusted_proxies``; still read only to refuse it (see the validator)."""
    database_url: str | None = None
    """The FAQ desk's database; ``None``: ``DATABASE_URL``, else ``var/hukou.sqlite3``."""
    preload_rules: bool = False
    """Load the lookup's fact rules (spaCy, jieba; ≈ 100 MB) at start, in the background
    (``HUKOU_PRELOAD_RULES``), so that a lookup while no Rasa worker answers does not wait for
    them. ``hukou serve`` sets it when it runs a single worker."""
    secure_cookies: bool = False
    faq_interpreter: str = Field(default="", max_length=100)
    """``HUKOU_FAQ_INTERPRETER``: the 解读机关 the public ``/faq`` page names, as the department
    that answers for the entries has approved it. Empty (the default): the page names no
    department and says the assistant compiled the answers from the policy's text."""
    """Mark the FAQ desk's session cookie ``Secure`` (set it when served over HTTPS)."""
    profile: str = "embedded"
    """``HUKOU_PROFILE`` (:mod:`bot.stack.profile`): ``production`` keeps the WeChat channel's
    dedup keys in Redis, shared by every gateway process; ``embedded`` in memory."""
    redis_url: str = Field(default="redis://127.0.0.1:6379/1", repr=False)
    """``HUKOU_REDIS_URL``: the production profile's Redis (the same as Rasa's lock store)."""
    tracker_url: str = Field(
        default="postgresql://postgres@127.0.0.1:5432/hukou_tracker", repr=False
    )
    """``HUKOU_TRACKER_URL``: the production profile's Rasa tracker store, read only to delete a
    WeChat user's conversation when they unsubscribe (Rasa's API has no delete)."""

    # The WeChat Official Account channel (``/wechat/oa``, :mod:`bot.web.routes.wechat`).
    # Without a token the channel is off and its routes answer 404. The secrets stay out of
    # the settings' ``repr``.
    wechat_token: str = Field(default="", repr=False)
    """``HUKOU_WECHAT_TOKEN``: the Token entered in the 公众平台's server configuration."""
    wechat_appid: str = ""
    """``HUKOU_WECHAT_APPID``: the account's AppID (encrypted pushes must name it)."""
    wechat_secret: str = Field(default="", repr=False)
    """``HUKOU_WECHAT_SECRET``: the AppSecret, for 客服消息 and the menu; empty: passive
    replies only (an answer later than the budget goes to WeChat's retry of the push, within
    about 14 s, or is not delivered)."""
    wechat_aes_key: str = Field(default="", repr=False)
    """``HUKOU_WECHAT_AES_KEY``: the EncodingAESKey (43 characters), for the compatible and
    safe modes; empty: plaintext mode only."""
    wechat_aes_key_previous: str = Field(default="", repr=False)
    """``HUKOU_WECHAT_AES_KEY_PREVIOUS``: the key before the last change, tried when the
    current one cannot open a push (WeChat's key rotation)."""
    wechat_msgmenu: bool = False
    """``HUKOU_WECHAT_MSGMENU``: the account may send 客服菜单 (a certified 服务号): options in
    answers sent through 客服消息 become buttons; refused by WeChat, they go as numbered text."""
    wechat_link_hosts: str = ""
    """``HUKOU_WECHAT_LINK_HOSTS``: the hosts an answer in WeChat may link to, comma-separated
    (the deployment's own, e.g. ``hukou.example.gov.cn``); any other ``<a>`` is shown as its
    words. Empty: no links."""
    wechat_api_base: str = "https://api.weixin.qq.com"
    """``HUKOU_WECHAT_API_BASE``: WeChat's API host (tests: a loopback fake)."""
    wechat_budget_seconds: float = Field(default=4.0, gt=0, le=4.5)
    """How long a push waits for the assistant before it is answered ``success`` and the
    answer goes through 客服消息 (WeChat gives up after 5 s)."""
    wechat_max_body_bytes: int = 64 * 1024
    """The largest push accepted (a text push is well under 8 KB, encrypted ≈ 3×)."""
    wechat_max_skew_seconds: int = 300
    """A push whose ``timestamp`` is further than this from now is refused (a replay)."""

    @validator("profile")
    def _known_profile(cls, value: str) -> str:
        """Only the profiles :mod:`bot.stack.profile` knows."""
        value = value.strip() or "embedded"
        if value not in ("embedded", "production"):
            raise ValueError("HUKOU_PROFILE must be embedded or production")
        return value

    @validator("trust_forwarded")
    def _trust_forwarded_is_replaced(cls, value: bool) -> bool:
        """Refuse ``HUKOU_TRUST_FORWARDED=true``: it trusted the left end of the header.

        Ignoring it instead would silently count every citizen behind the proxy as one client.
        """
        if value:
            raise ValueError(
                "HUKOU_TRUST_FORWARDED is no longer read: set HUKOU_TRUSTED_PROXIES to the "
                "number of proxies in front of the gateway (1 behind the Kubernetes Ingress)"
            )
        return value

    class Config:
        """Environment prefix."""

        env_prefix = "HUKOU_"
