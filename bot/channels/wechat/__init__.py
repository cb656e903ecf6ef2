"""The WeChat Official Account (公众号 / 服务号) channel, protocol side.

The protocol research with its sources is ``../shared/design/wechat-oa-protocol.md`` (cited
here as "protocol note §n"). The gateway's routes are :mod:`bot.web.routes.wechat`.

* :mod:`.crypto` — signatures, AES-256-CBC message encryption, key rotation.
* :mod:`.messages` — the push XML (parsed with defusedxml) and the reply XML.
* :mod:`.content` — a turn's messages as ≤ 2000-byte texts, buttons as numbered options.
* :mod:`.store` — dedup claims, answers, options and quotas, in memory or Redis.
* :mod:`.client` — WeChat's API: stable_token, 客服消息, the menu.
* :mod:`.channel` — the 5-second budget, dedup, events and quotas.
* :mod:`.menu` — the custom menu file (``menu.yml``) and its limits.
"""
