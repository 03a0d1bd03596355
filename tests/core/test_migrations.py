"""The schema comes only from migrations."""
from sqlalchemy import inspect, select

from webapp.checkins.models import Term
from webapp.db import Base, db_session


def test_upgrade_on_an_empty_database_builds_every_table(app):
    tables = set(inspect(app.extensions["engine"]).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_the_default_vocabulary_holds_the_contract_results(app):
    results = set(db_session.scalars(select(Term.key).where(Term.kind == "result")))
    assert results == {"listened", "information", "referred", "continuing", "other"}


def test_models_and_migrations_agree(app):
    """Autogenerate against the migrated database finds nothing to add."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with app.extensions["engine"].connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), Base.metadata)
    assert diff == []
