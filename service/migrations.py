"""Running Alembic from code (`vdo db upgrade`, tests)."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from sqlalchemy import Engine

from alembic import command

PACKAGE_DIR = Path(__file__).resolve().parent


def script_location() -> Path:
    """The migration scripts: in the package when installed from a wheel, else the checkout's.

    The wheel ships the top-level alembic/ folder as service/_alembic (see pyproject.toml); a
    checkout or an editable install has no such folder and reads alembic/ beside the package.
    """
    packaged = PACKAGE_DIR / "_alembic"
    return packaged if packaged.is_dir() else PACKAGE_DIR.parent / "alembic"


def alembic_config(engine: Engine) -> Config:
    # No alembic.ini: it only serves the alembic command line, and a wheel does not ship it.
    config = Config()
    config.set_main_option("script_location", str(script_location()))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    command.downgrade(alembic_config(engine), revision)
