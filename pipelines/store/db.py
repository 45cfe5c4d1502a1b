"""The one way to open the database: short-lived connections, schema migrations, a clear "busy" error.

DuckDB lets one process hold a database file for writing, and a writer excludes readers in other
processes. So every command opens the file for as short a time as it can, and waits (up to
`Settings.busy_timeout_s`) for another process to let go before giving up with `DatabaseBusy`.

Writers go first. A process that wants to write holds an advisory lock on `<database>.lock`, beside the file,
from the moment it asks until it closes the database, and readers do not start while that lock is held.
Without it, dashboard sessions reading one after the other could keep a load out until it gave up as busy.
The lock is the kernel's (`flock`): a process killed half-way leaves nothing to clean up.

Within one process (the dashboard's sessions, its preparation of reports), DuckDB cannot hold a file read-write
and read-only at once, but read-only connections share it: readers read together, and a writer waits for them
and writes alone, before any reader that came after it (`_Turns`).

A full disk or a folder that cannot be written is `DatabaseUnavailable`, with a message that says so.

A lake (`ducklake:postgres:...`, pipelines/store/lake.py) needs none of this: readers never wait, and writers run
at once. Every write transaction adds one to `writes.n`, so two writers of the same lake always conflict when the
second commits; that one is rolled back whole and run again (`retry_conflicts`), until `busy_timeout_s` has passed
and it gives up, as busy, having changed nothing. The same counter tells readers that the data changed.
"""

from __future__ import annotations

import errno
import itertools
import os
import random
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from importlib import resources
from pathlib import Path
from typing import TypeVar

import duckdb

from pipelines.config import Lake, database, settings

try:
    import fcntl
except ImportError:  # Windows: no advisory locks, readers and writers simply retry
    fcntl = None  # type: ignore[assignment]

# Databases whose writer lock this process holds (under their write turn, `_Turns`), and how many times.
_WRITING: dict[Path, int] = {}
MEMORY = Path(":memory:")
T = TypeVar("T")


class DatabaseBusy(RuntimeError):
    """Another process holds the database file for writing."""


class DatabaseUnavailable(RuntimeError):
    """The database file cannot be opened or written (missing folder rights, disk full, ...)."""


def migrations() -> list[tuple[int, str]]:
    """The schema's migrations, in order: (version, SQL) from pipelines/store/sql/NNN_*.sql."""
    found = []
    for entry in resources.files("pipelines.store.sql").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            found.append((int(name[:3]), entry.read_text(encoding="utf-8")))
    return sorted(found)


SCHEMA_VERSION = migrations()[-1][0]


# What SQL text is built from (tests/store/test_sql_text.py checks every interpolation for these two types):
class Identifier(str):
    """A table or column name (or a list of them) made safe for SQL text: what `q()`, `q_list()` and
    `temp_name()` return, never a value."""


class Sql(str):
    """A fragment of SQL the code wrote itself, from literals, identifiers and other fragments: never a value
    (values are bound as parameters)."""


def q(name: str, alias: str = "") -> Identifier:
    """Quote an identifier, after `alias.` if given: `"name"`, `t."name"` (the contract's names only ever reach
    SQL this way; an alias is a plain name the code chose)."""
    if alias and not alias.isidentifier():
        raise ValueError(f"a table alias is a plain name, not {alias!r}")
    return Identifier((f"{alias}." if alias else "") + '"' + name.replace('"', '""') + '"')


def q_list(names: Iterable[str], alias: str = "") -> Identifier:
    """Quoted names separated by commas: `"a", "b"`, or `t."a", t."b"`."""
    return Identifier(", ".join(q(n, alias) for n in names))


def join_sql(parts: Iterable[Identifier | Sql], separator: str = ", ") -> Sql:
    """Fragments joined into one (the separator is the code's: ", ", " AND ")."""
    return Sql(separator.join(parts))


def literal(text: str) -> Sql:
    """A string literal of the code's own words (a contract name in a message): never a value from a file,
    which is bound as a parameter."""
    return Sql("'" + text.replace("'", "''") + "'")


_temp_numbers = itertools.count(1)


def temp_name(prefix: str = "f") -> Identifier:
    """A fresh name for a temporary table of this process (`f1`, `f2`, ...): letters and digits only."""
    if not prefix.isalpha():
        raise ValueError(f"a temporary table's prefix is letters only, not {prefix!r}")
    return Identifier(f"{prefix}{next(_temp_numbers)}")


_MACROS = resources.files("pipelines.store.sql").joinpath("macros.sql").read_text(encoding="utf-8")


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Create the loader's temporary macros (pipelines/store/sql/macros.sql) on this connection."""
    for statement in _MACROS.split(";\n"):
        if statement.strip():
            con.execute(statement)


def _schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        """SELECT count(*) FROM information_schema.tables
        WHERE table_name = 'schema_version' AND table_catalog = current_database()"""
    ).fetchall()[0][0]
    if not exists:
        return 0
    row = con.execute("SELECT max(version) FROM schema_version").fetchall()[0][0]
    return int(row or 0)


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the schema up to date, one transaction per migration; returns the version reached."""
    current = _schema_version(con)
    for version, sql in migrations():
        if version <= current:
            continue
        con.execute("BEGIN")
        try:
            if version == 1:
                con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP)")
            con.execute(sql)
            con.execute("INSERT INTO schema_version (version, applied_at) VALUES (?, current_timestamp)", [version])
            con.execute("COMMIT")
        except BaseException:
            with suppress(duckdb.Error):  # a COMMIT that failed has ended the transaction already
                con.execute("ROLLBACK")
            raise
        current = version
    return current


# --- a full disk, a folder that cannot be written ------------------------------------------------------------

_DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
_NOT_WRITABLE = (errno.EROFS, errno.EACCES, errno.EPERM)


def _errno(error: BaseException) -> int | None:
    """The operating system's reason behind an error, when it is a full disk or a refused write."""
    if isinstance(error, OSError):
        return error.errno if error.errno in (*_DISK_FULL, *_NOT_WRITABLE) else None
    if isinstance(error, duckdb.Error):  # DuckDB puts the C library's text in its message
        text = str(error)
        return next((code for code in (*_DISK_FULL, *_NOT_WRITABLE) if os.strerror(code) in text), None)
    return None


def is_storage_error(error: BaseException) -> bool:
    """True when `error` comes from a full disk or a file or folder that cannot be written: not a file's fault."""
    return _errno(error) is not None


def _file_named(error: BaseException) -> str | None:
    if isinstance(error, OSError):
        return str(error.filename) if error.filename else None
    found = re.search(r'"([^"]+)"', str(error))
    return found.group(1) if found else None


def storage_problem(path: Path, error: BaseException) -> DatabaseUnavailable | None:
    """A one-line `DatabaseUnavailable` saying what is wrong when `error` is a full disk or a refused write."""
    code = _errno(error)
    if code is None:
        return None
    reason = os.strerror(code)
    named = _file_named(error)
    full = os.path.abspath(path)
    # the file itself, its write-ahead log, its temporary folder, the folder that holds them
    ours = named is None or os.path.abspath(named) in (full, os.path.dirname(full)) or named.startswith(full)
    if code in _DISK_FULL:
        return DatabaseUnavailable(
            f"cannot write {f'the database {path}' if ours else named}: disk full ({reason}). "
            "What was being written was not saved: free some space, then try again."
        )
    if not ours:
        return DatabaseUnavailable(f"cannot write {named}: {reason}. What was being written was not saved.")
    if named is not None and os.path.abspath(named) == full and code != errno.EROFS:
        return DatabaseUnavailable(
            f"the database {path} is read-only for this user ({reason}): it can be read, not changed."
        )
    return _read_only_folder(path, reason)


def _read_only_folder(path: Path, reason: str) -> DatabaseUnavailable:
    then = "can be read there but not changed" if path.exists() else "cannot be created there"
    folder = os.path.dirname(os.path.abspath(path))
    return DatabaseUnavailable(f"the data folder {folder} is read-only ({reason}): the database {path.name} {then}.")


def _check_writable(path: Path) -> None:
    """Fail at once, with a clear message, when the folder cannot take the database's write-ahead log."""
    try:
        with tempfile.TemporaryFile(dir=path.parent, prefix=f".{path.name}-"):
            pass
    except OSError as error:
        code = error.errno or errno.EACCES
        problem = storage_problem(path, OSError(code, os.strerror(code), str(path)))
        if code in _DISK_FULL and problem is not None:
            raise problem from error
        raise _read_only_folder(path, os.strerror(code)) from error


# --- waiting for other processes ------------------------------------------------------------------------------


class _Patience:
    """Retries with a growing, jittered pause until `Settings.busy_timeout_s` has passed, then `DatabaseBusy`."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.deadline = time.monotonic() + settings().busy_timeout_s
        self.delay = 0.05

    def pause(self, error: BaseException | None = None) -> None:
        if time.monotonic() >= self.deadline:
            if self.path is None:
                raise DatabaseBusy(
                    "the lake is busy: other processes kept writing to it at the same time, and this change was "
                    "given up, having changed nothing. Try again in a moment."
                ) from error
            raise DatabaseBusy(
                f"the database {self.path} is busy: another process is writing to it. Try again in a moment."
            ) from error
        time.sleep(min(self.delay * (1 + random.random()), max(self.deadline - time.monotonic(), 0.01)))
        self.delay = min(self.delay * 2, 0.5)


def _lock_file(path: Path) -> int | None:
    """A descriptor of `<database>.lock`, created if need be; None where there is none to be had."""
    if fcntl is None:
        return None
    name = path.with_name(path.name + ".lock")
    for flags in (os.O_RDWR | os.O_CREAT, os.O_RDONLY):  # flock needs no write access
        with suppress(OSError):
            return os.open(name, flags, 0o666)
    return None


def _take_writer_lock(path: Path, patience: _Patience) -> int | None:
    """Hold `<database>.lock` exclusively: from now on, readers of other processes wait for this writer."""
    fd = _lock_file(path)
    if fd is None:
        return None
    assert fcntl is not None
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError as error:  # another writer is waiting or writing
            try:
                patience.pause(error)
            except BaseException:
                os.close(fd)
                raise


def _wait_for_writers(path: Path, patience: _Patience) -> None:
    """A reader lets a writer that waits or writes go first."""
    fd = _lock_file(path)
    if fd is None:
        return
    assert fcntl is not None
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                return  # closing the descriptor lets go at once: a reader does not hold writers back
            except BlockingIOError as error:
                patience.pause(error)
    finally:
        os.close(fd)


def connection_config() -> dict[str, str | bool | int | float | list[str]]:
    """The settings every connection (file, memory or lake) is given as it opens. The time zone is not among them:
    DuckDB takes it only once ICU is loaded, so `_closing` sets it."""
    return {"memory_limit": f"{settings().memory_limit_mb}MB"}


def _open(path: Path, read_only: bool, patience: _Patience) -> duckdb.DuckDBPyConnection:
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=connection_config())
        except duckdb.IOException as error:
            message = str(error)
            if "lock" not in message.lower():
                problem = None if read_only else storage_problem(path, error)
                raise problem or DatabaseUnavailable(f"cannot open {path}: {message}") from error
            patience.pause(error)


def copy_database(location: str | Path, target: Path) -> None:
    """Copy the database (file or lake) into a new database file `target`, as it stands now: what an upload's
    preview loads into, nothing written to the original."""
    source = database(location)
    if isinstance(source, Path):
        if source.exists():
            with connect(source, read_only=True):
                pass  # makes sure the file is migrated and checkpointed before it is copied
            shutil.copyfile(source, target)
            wal = source.with_name(source.name + ".wal")
            if wal.exists():
                shutil.copyfile(wal, target.with_name(target.name + ".wal"))
        return
    from pipelines.store.lake import ALIAS

    with connect(source, read_only=True) as con:
        con.execute("SET enable_progress_bar = false")
        con.execute(f"ATTACH {literal(str(target))} AS copy")  # ATTACH takes no parameters: a quoted literal
        try:
            con.execute(f"COPY FROM DATABASE {ALIAS} TO copy")
            con.execute("COMMIT")  # the reader's snapshot, written to the copy (the lake is only read)
        except BaseException:
            with suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise
        finally:
            con.execute("DETACH copy")


def is_conflict(error: BaseException) -> bool:
    """True when a lake's commit failed because another writer committed first: worth running again."""
    return isinstance(error, duckdb.TransactionException) and "conflict" in str(error).lower()


def retry_conflicts(work: Callable[[], T], lost: Callable[[BaseException], bool] = is_conflict) -> T:
    """Run `work` (one or more whole transactions) again each time it loses a lake's conflict with another writer
    (`lost`), with a growing pause, until `Settings.busy_timeout_s` has passed: then `DatabaseBusy`. A database file
    has no such conflicts (one writer at a time): there `work` runs once."""
    patience = _Patience(None)
    while True:
        try:
            return work()
        except duckdb.Error as error:
            if not lost(error):
                raise
            patience.pause(error)


_MIGRATED: set[str] = set()  # lakes this process has brought up to date


def _made_meanwhile(error: BaseException) -> bool:
    """A migration that lost to another process migrating the same lake: a conflict, or a table made meanwhile."""
    return is_conflict(error) or (isinstance(error, duckdb.CatalogException) and "already exists" in str(error))


@contextmanager
def _connect_lake(location: Lake, read_only: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    from pipelines.store import lake  # the lake's extensions only where a lake is used

    try:
        con = lake.cursor(location)
    except lake.LakeUnavailable as error:
        raise DatabaseUnavailable(str(error)) from error
    try:
        con.execute("SET TimeZone = 'UTC'")
        if location not in _MIGRATED:
            # Two processes making one lake: whichever commits second finds the work done, or looks again.
            retry_conflicts(lambda: migrate(con), lost=_made_meanwhile)
            _MIGRATED.add(location)
        if read_only:  # one snapshot for the whole block: a page's queries agree, and the catalog is read once
            con.execute("BEGIN")
        yield con
    finally:
        if read_only:
            with suppress(duckdb.Error):
                con.execute("ROLLBACK")  # it wrote nothing
        con.close()


class _Turns:
    """One database file's connections in this process. DuckDB cannot hold a file read-write and read-only at once
    in one process, but read-only connections share it: readers read together, a writer waits for them and writes
    alone, and a writer that waits goes before new readers. A thread may open the file again inside its own
    turn."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._readers: dict[int, int] = {}  # thread -> its open read turns
        self._writer: int | None = None
        self._writes = 0  # the writer's open write turns
        self._writers_waiting = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        me = threading.get_ident()
        with self._changed:
            if self._writer != me and me not in self._readers:
                self._changed.wait_for(lambda: self._writer is None and not self._writers_waiting)
            self._readers[me] = self._readers.get(me, 0) + 1
        try:
            yield
        finally:
            with self._changed:
                self._readers[me] -= 1
                if not self._readers[me]:
                    del self._readers[me]
                self._changed.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        me = threading.get_ident()
        with self._changed:
            if self._writer != me:
                self._writers_waiting += 1
                try:
                    self._changed.wait_for(lambda: self._writer is None and not set(self._readers) - {me})
                finally:
                    self._writers_waiting -= 1
                self._writer = me
            self._writes += 1
        try:
            yield
        finally:
            with self._changed:
                self._writes -= 1
                if not self._writes:
                    self._writer = None
                self._changed.notify_all()


_TURNS: dict[Path, _Turns] = {}
_TURNS_MADE = threading.Lock()


def _turns(key: Path) -> _Turns:
    with _TURNS_MADE:
        return _TURNS.setdefault(key, _Turns())


@contextmanager
def connect(path: str | Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the database file (or the lake) for the duration of a `with` block, creating and migrating it as
    needed."""
    location = database(path)
    if isinstance(location, Lake):
        with _connect_lake(location, read_only) as con:
            yield con
        return
    path = location
    if path == MEMORY:  # a new database of its own at each connection
        con = duckdb.connect(config=connection_config())
        with _closing(con, path):
            if not read_only:
                migrate(con)
            yield con
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        reason = error.strerror or str(error)
        raise DatabaseUnavailable(f"cannot create the folder {path.parent.absolute()}: {reason}") from error
    if read_only and not path.exists():
        with connect(path, read_only=False):
            pass
    key = path.absolute()
    if read_only:
        with _turns(key).reading():
            patience = _Patience(path)
            if not _WRITING.get(key):
                _wait_for_writers(path, patience)
            con = _open(path, True, patience)
            if _schema_version(con) >= SCHEMA_VERSION:
                with _closing(con, path):
                    yield con
                return
            con.close()
        with connect(path, read_only=False):  # an older file: migrate it once, writing, then read as asked
            pass
        with _turns(key).reading():
            con = _open(path, True, _Patience(path))
            with _closing(con, path):
                yield con
        return
    with _turns(key).writing():
        patience = _Patience(path)
        _check_writable(path)
        writer_lock = None
        if not _WRITING.get(key):  # a writer of this process may open it again
            writer_lock = _take_writer_lock(path, patience)
        _WRITING[key] = _WRITING.get(key, 0) + 1
        try:
            con = _open(path, False, patience)
            with _closing(con, path):
                migrate(con)
                yield con
        finally:
            _WRITING[key] -= 1
            if not _WRITING[key]:
                del _WRITING[key]
            if writer_lock is not None:
                os.close(writer_lock)  # lets the next writer, then the readers, in


@contextmanager
def _closing(con: duckdb.DuckDBPyConnection, path: Path) -> Iterator[None]:
    """Close the connection whatever happens; a full disk or a refused write becomes `DatabaseUnavailable`."""
    try:
        con.execute("SET TimeZone = 'UTC'")
        yield
    except (duckdb.Error, OSError) as error:
        problem = storage_problem(path, error)
        if problem is None:
            raise
        raise problem from error
    finally:
        with suppress(duckdb.Error):  # a checkpoint that fails on closing leaves committed work in the WAL
            con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection, *, commit: bool = True) -> Iterator[None]:
    """All or nothing: commit at the end of the block (or roll back, for a dry run), roll back on any error. A
    transaction that commits counts itself in `writes`: on a lake, two at once conflict (see the module's text)."""
    con.execute("BEGIN")
    try:
        if commit:
            con.execute("UPDATE writes SET n = n + 1, id = uuid()::VARCHAR")
        yield
        con.execute("COMMIT" if commit else "ROLLBACK")
    except BaseException:
        # A COMMIT that failed (a full disk) has ended the transaction already: its error is the one to tell.
        with suppress(duckdb.Error):
            con.execute("ROLLBACK")
        with suppress(duckdb.Error):
            _drop_temp_tables(con)
        raise
    _drop_temp_tables(con)


def _drop_temp_tables(con: duckdb.DuckDBPyConnection) -> None:
    for (name,) in con.execute("SELECT view_name FROM duckdb_views() WHERE temporary AND NOT internal").fetchall():
        con.execute(f"DROP VIEW IF EXISTS temp.main.{q(name)}")
    for (name,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall():
        con.execute(f"DROP TABLE IF EXISTS temp.main.{q(name)}")
