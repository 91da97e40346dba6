from alembic import context

from assistant.db import program_models  # noqa: F401  (registers the program tables)
from assistant.db.models import Base

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
