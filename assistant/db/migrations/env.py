from alembic import context

from assistant.db import program_models  # noqa: F401  (registers the program tables)
from assistant.db.models import Base

engine = context.config.attributes.get("engine")
if engine is None:  # the plain `alembic` command (alembic.ini): the configured database
    from assistant.config import get_settings
    from assistant.db.engine import make_engine

    engine = make_engine(context.config.get_main_option("sqlalchemy.url") or get_settings().sqlalchemy_url)
with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
