"""No `vdo` command ends in a traceback on bad data: it says what is wrong and exits non-zero."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.test_cli import _run, cli_env

__all__ = ["cli_env"]  # the fixture, shared with test_cli


def test_unreadable_files_and_unknown_revisions_are_refused_in_words(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    latin1 = tmp_path / "people-latin1.csv"
    latin1.write_bytes("name,email\nJosé,jose@example.org\n".encode("latin-1"))
    for args, message in (
        (["import", "people", str(tmp_path / "missing.csv")], "No such file or directory"),
        (["import", "people", str(tmp_path)], "Is a directory"),
        (["import", "people", str(latin1)], "is not UTF-8 text"),
        (["db", "upgrade", "no-such-revision"], "no-such-revision"),
    ):
        result = _run(args, cli_env)
        assert result.returncode == 1, (args, result.stderr)
        assert "Traceback" not in result.stderr, result.stderr
        assert message in result.stderr, (args, result.stderr)


def test_an_unreachable_database_is_a_message(cli_env: dict[str, str], tmp_path: Path) -> None:
    unreachable = cli_env | {
        "VDO_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/none",
        # Not the checkout's var/: the first start there would say it made a secret key.
        "VDO_DATA_DIR": str(tmp_path),
    }
    result = _run(["series", "extend"], unreachable)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("database error:")
