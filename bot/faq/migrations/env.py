"""Alembic environment: migrate the connection :func:`bot.faq.db.migrate` hands over."""

from alembic import context

from bot.faq.models import metadata

context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
)
with context.begin_transaction():
    context.run_migrations()
