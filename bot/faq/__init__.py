"""The publicity department's FAQ desk: the data layer.

Editors (宣传部) write entries, a reviewer approves them, citizens get the answer once it is
published. Import what you need from the modules; this package imports nothing itself.

* :mod:`bot.faq.db` — engines for a URL (default :func:`bot.paths.faq_database_url`), and
  :func:`~bot.faq.db.migrate` (Alembic migrations shipped in ``migrations/``).
* :mod:`bot.faq.models` — the tables (users, entries and versions, audit log, sessions,
  failed sign-ins, unanswered questions, the published-set revision counter).
* :mod:`bot.faq.workflow` — the roles and statuses with their Chinese names, and
  :data:`~bot.faq.workflow.TRANSITIONS`: who may take which workflow step from where.
* :mod:`bot.faq.store` — :class:`~bot.faq.store.FaqStore`: the workflow
  (draft → in_review → approved → published, archive, restore), history, diff, audit, the
  published entries and their revision, and unanswered questions grouped for staff.
* :mod:`bot.faq.auth` — :class:`~bot.faq.auth.Auth`: Argon2 passwords, rate-limited sign-in,
  sessions with idle and absolute timeouts, CSRF tokens.
* :mod:`bot.faq.exchange` — Rasa NLU/domain export of published entries; YAML import and export.
* :mod:`bot.faq.errors` — the exceptions, each with a Chinese message fit for staff.
* :mod:`bot.faq.records` — frozen snapshots of entries, versions and audit rows;
  :mod:`bot.faq.service` — :class:`~bot.faq.service.FaqService`, the run-time answerer the
  actions use (the index itself is :mod:`bot.retrieval.faq_index`).

Masking of what citizens wrote is :mod:`bot.privacy`.
"""
