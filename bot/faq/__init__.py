"""The publicity department's FAQ desk: the data layer.

Editors (宣传部) write entries, a reviewer approves them, citizens get the answer once it is
published. Import what you need from the modules; this package imports nothing itself.

* :mod:`bot.faq.db` — ``DATABASE_URL`` (default SQLite ``var/hukou.sqlite3``), engines, and
  :func:`~bot.faq.db.migrate` (Alembic migrations shipped in ``migrations/``).
* :mod:`bot.faq.models` — the tables (users, entries and versions, audit log, sessions,
  failed sign-ins, unanswered questions, the published-set revision counter).
* :mod:`bot.faq.store` — :class:`~bot.faq.store.FaqStore`: the workflow
  (draft → in_review → approved → published, archive, restore), history, diff, audit, the
  published entries and their revision, and unanswered questions grouped for staff.
* :mod:`bot.faq.auth` — :class:`~bot.faq.auth.Auth`: Argon2 passwords, rate-limited sign-in,
  sessions with idle and absolute timeouts, CSRF tokens.
* :mod:`bot.faq.masking` — :func:`~bot.faq.masking.mask_pii`, applied before a citizen's
  words are stored.
* :mod:`bot.faq.io` — Rasa NLU/domain export of published entries; YAML import and export.
* :mod:`bot.faq.errors` — the exceptions, each with a Chinese message fit for staff.
* :mod:`bot.faq.matcher` — run-time matching of a citizen's message against the published
  entries, rebuilt whenever the store's published revision changes.
"""
