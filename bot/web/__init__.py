"""The web gateway (FastAPI) in front of the Rasa workers.

Chat forwarding, the hotline lookup, policy search, the knowledge base, the FAQ desk and the
pages. The shape of fastapi/full-stack-fastapi-template's ``backend/app/api``:

* :mod:`bot.web.app` — :func:`~bot.web.app.create_app`, which only wires the parts below.
* :mod:`bot.web.settings` — the ``HUKOU_*`` settings (the only reader of the environment here).
* :mod:`bot.web.routes` — one router per resource; its docstring lists every route.
* :mod:`bot.web.deps` — typed dependencies: the app's parts and who is signed in.
* :mod:`bot.web.schemas` — the request bodies.
* :mod:`bot.web.errors` — the gateway's domain errors and the one mapping of errors to HTTP.
* :mod:`bot.web.ratelimit` — per-client limits, as a plain ASGI middleware.
* :mod:`bot.web.upstream` — forwarding turns to Rasa, probing the services.
* :mod:`bot.web.workers` — which Rasa worker serves which conversation.
* :mod:`bot.web.faq_desk` — the FAQ desk's store and accounts, and their presenters.
"""
