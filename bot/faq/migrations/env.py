"""Alembic environment: migrate the connection :func:`bot.faq.db.migrate` hands over."""

from alembic import context

import bot.turns.models  # noqa: F401  (the turn log's tables share the desk's metadata)
from bot.faq.models import metadata

context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
)
with context.begin_transaction():
    context.run_migrations()
