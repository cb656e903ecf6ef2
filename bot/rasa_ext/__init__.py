"""Everything that plugs into Rasa, and the only package in ``bot`` that imports it.

Rasa loads these by dotted name (``bot/config.yml``, the endpoints the profile writes) or
they wrap Rasa's own entry points:

* :mod:`~bot.rasa_ext.components` — the graph components (normaliser, fact entities,
  fact-backed intents) around the plain-Python :mod:`bot.nlu`;
* :mod:`~bot.rasa_ext.tracker_store` and :mod:`~bot.rasa_ext.lock_store` — the production
  profile's stores (PostgreSQL, Redis), each faster than Rasa's own for a measured reason;
* :mod:`~bot.rasa_ext.inprocess_actions` — the custom actions run inside each Rasa worker;
* :mod:`~bot.rasa_ext.server` — ``python -m bot.rasa_ext.server run …``: Rasa's CLI with those
  in place;
* :mod:`~bot.rasa_ext.understand` — one sentence through the trained model (``hukou ask``).

The rest of ``bot`` stays importable without Rasa; ``make lint`` checks it (import-linter).
"""
