"""A throw-away PostgreSQL server for test runs on a machine where none answers.

The tests need a server only for the length of a run, and `make test` should pass on a fresh
machine that has PostgreSQL installed but not running. So when the configured server does not
answer, the run makes a cluster in a temporary folder with the installed binaries (initdb,
pg_ctl), serves it on a free port of 127.0.0.1 with trust authentication and durability off, and
removes it at the end. PostgreSQL refuses to run as root, so as root the cluster belongs to the
`postgres` system user (or `nobody`).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

# Speed over durability: the data is thrown away anyway.
SERVER_OPTIONS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


def answers(url: str) -> bool:
    """Whether something accepts connections at the URL's host and port (TCP, one second)."""
    parsed = make_url(url)
    try:
        with socket.create_connection((parsed.host or "127.0.0.1", parsed.port or 5432), 1):
            return True
    except OSError:
        return False


def find_bindir() -> Path | None:
    """The folder of the installed initdb and pg_ctl: pg_config's, Debian's newest, or PATH's."""
    candidates: list[Path] = []
    if pg_config := shutil.which("pg_config"):
        found = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        ).stdout.strip()
        candidates.append(Path(found))
    debian = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += sorted((Path(p) for p in debian), key=lambda p: int(p.parent.name), reverse=True)
    if initdb := shutil.which("initdb"):
        candidates.append(Path(initdb).resolve().parent)
    return next(
        (
            folder
            for folder in candidates
            if all(os.access(folder / tool, os.X_OK) for tool in ("initdb", "pg_ctl"))
        ),
        None,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _unprivileged_user() -> dict[str, Any]:
    """subprocess arguments that drop root to a system user; nothing when not root."""
    if os.geteuid() != 0:
        return {}
    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
    raise RuntimeError("running as root, and no 'postgres' or 'nobody' user to run PostgreSQL as")


@dataclass(frozen=True)
class ThrowawayServer:
    folder: Path
    bindir: Path
    port: int
    run_as: dict[str, Any]

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _pg(self, *args: str) -> None:
        result = subprocess.run(
            [str(self.bindir / args[0]), *args[1:]],
            cwd=self.folder,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            **self.run_as,
        )
        if result.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{args[0]} failed: {result.stdout}{result.stderr}{tail}")

    @classmethod
    def start(cls, bindir: Path) -> ThrowawayServer:
        folder = Path(tempfile.mkdtemp(prefix="vdo-test-postgres-"))
        run_as = _unprivileged_user()
        if run_as:
            os.chown(folder, run_as["user"], run_as["group"])
        server = cls(folder, bindir, _free_port(), run_as)
        try:
            server._pg(
                "initdb", "-D", "data", "-U", "postgres", "-A", "trust", "-E", "UTF8",
                "--locale=C.UTF-8", "--no-sync", "--no-instructions",
            )  # fmt: skip
            options = f"-p {server.port} -k {folder} -c listen_addresses=127.0.0.1 {SERVER_OPTIONS}"
            server._pg("pg_ctl", "-D", "data", "-l", "server.log", "-w", "-o", options, "start")
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return server

    def stop(self) -> None:
        try:
            self._pg("pg_ctl", "-D", "data", "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
