"""Messaging channels other than the web widget, each in its own package.

A channel speaks its platform's protocol and hands each turn to a function the gateway passes
in (the web chat's own turn, :func:`bot.web.upstream.answer`), so every channel gets the same
understanding and answers. Channels import neither the web gateway nor Rasa
(``pyproject.toml``'s import contracts).

* :mod:`bot.channels.wechat` — the WeChat Official Account (公众号 / 服务号).
"""
