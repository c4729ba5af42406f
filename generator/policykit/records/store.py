"""Opening the records database: SQLite by default (one file outside the git-tracked folders),
PostgreSQL by URL; brought up to date by Alembic's migrations before anything is read."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import alembic.util
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from policykit.records import tables

DEFAULT_FILE = ".policykit/records.sqlite3"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class StoreError(Exception):
    """The database cannot be opened or brought up to date; the message says what to do."""


def database_url(root: Path, db: str | None) -> str:
    """The SQLAlchemy URL of --db, or of the default SQLite file in the project."""
    if not db:
        return f"sqlite:///{root / DEFAULT_FILE}"
    if db.startswith("postgresql://"):  # psycopg 3, not SQLAlchemy's default psycopg2
        return "postgresql+psycopg://" + db[len("postgresql://"):]
    if db.startswith(("sqlite:///", "postgresql+psycopg://")):
        return db
    if "://" not in db:  # a file name
        return f"sqlite:///{Path(db).resolve()}"
    raise StoreError(f"--db {db!r}: not a database address policykit can use — give a file "
                     "name, sqlite:///PATH or postgresql://USER@HOST/NAME")


def open_store(root: Path, db: str | None) -> sa.Engine:
    """An engine on the records database, migrated to the newest tables."""
    url = database_url(root, db)
    try:
        engine = _engine(url)
        with engine.begin() as connection:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except alembic.util.CommandError as error:  # a revision this policykit does not know
        raise StoreError(f"cannot open the records database {_hidden(url)}: {error} — it was "
                         "brought up to date by a newer policykit: install that one (or "
                         "newer) to open it") from None
    except (sa.exc.SQLAlchemyError, OSError, ImportError) as error:
        raise StoreError(f"cannot open the records database {_hidden(url)}: {_reason(error)} — "
                         "check the --db address, that the server is running and that this "
                         "user may write there") from None
    return engine


def _engine(url: str) -> sa.Engine:
    if not url.startswith("sqlite:"):
        return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    path = Path(url[len("sqlite:///"):])
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():  # personal data: readable by this user alone
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    # One connection, taken in turn by the service's threads: SQLite has one writer at a time,
    # and waiting for the pool is cheaper than SQLite's sleeping retries on a busy file.
    engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                              pool_size=1, max_overflow=0, pool_timeout=120)

    @sa.event.listens_for(engine, "connect")
    def _pragmas(connection, record) -> None:  # durable on a crash, readers beside a writer
        connection.isolation_level = None  # transactions begun below, not by the driver
        cursor = connection.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON",
                       "busy_timeout=30000"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()
        record.info["synchronous"] = "FULL"

    @sa.event.listens_for(engine, "begin")
    def _begin(connection) -> None:  # take the write lock first: no upgrade that can fail
        level = "NORMAL" if connection.get_execution_options().get(_PASSING) else "FULL"
        if connection.info.get("synchronous") != level:  # SQLite: only between transactions
            connection.exec_driver_sql(f"PRAGMA synchronous={level}")
            connection.info["synchronous"] = level
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    return engine


_PASSING = "policykit_passing"


def passing(engine: sa.Engine) -> sa.Engine:
    """The engine for writes that are not records: sign-in requests (and the links they
    mail) and drawn questions. On SQLite (WAL) their commits do not wait for the disk
    (synchronous=NORMAL): a crash of the service loses none of them; a power cut may lose the
    last few (the person asks for a new link, or is shown a new draw). Every other commit
    (FULL, the default: records, sessions, a link being spent) waits for the disk and takes
    them with it, so nothing kept rests on one lost. This spares an fsync in two of the four
    commits of a person's quiz."""
    return engine.execution_options(**{_PASSING: True})


def _hidden(url: str) -> str:
    """The URL with any password left out."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


def _reason(error: Exception) -> str:
    """The first line of the driver's message, without SQLAlchemy's background link."""
    original = getattr(error, "orig", None) or error
    return (str(original).strip().splitlines() or [type(original).__name__])[0]


def now() -> dt.datetime:
    """The time in UTC, without a zone (as every time is stored)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def audit(connection: sa.Connection, actor: str, action: str, subject: str,
          detail: str = "") -> None:
    """Add a line to the audit log, in the caller's transaction."""
    connection.execute(tables.audit.insert().values(
        at=now(), actor=actor, action=action, subject=subject, detail=detail))
