"""The turn log: one masked record per answered message, for the desk's dashboard and 复核.

* :mod:`bot.turns.record` — from Rasa's events to :class:`~bot.turns.record.TurnRecord`
  (the one code path both profiles use) and the per-sender assembler.
* :mod:`bot.turns.store` — :class:`~bot.turns.store.TurnLog`: idempotent writes, feedback by
  turn id, retention, the review queue and whole conversations.
* :mod:`bot.turns.consumer` — the production consumer (RabbitMQ → PostgreSQL).
* :mod:`bot.turns.dashboard` — the dashboard's counts and CSV tables.
* :mod:`bot.turns.models` — the tables (in the FAQ desk's database and migrations).

The embedded profile's in-process writer is :mod:`bot.rasa_ext.turn_broker` (it is a Rasa
event broker, so it lives with the other Rasa extensions).
"""
