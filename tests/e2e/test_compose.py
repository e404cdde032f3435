"""No Docker engine runs here: check that compose.yaml parses and wires its services."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_names_app_migration_postgres_and_mailpit() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"app", "migrate", "db", "mail"}
    assert services["app"]["build"] == services["migrate"]["build"] == "."
    assert services["migrate"]["command"] == ["vdo", "db", "upgrade"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["db"]["image"].startswith("postgres")
    assert "mailpit" in services["mail"]["image"]
    assert "pgdata" in compose["volumes"]
    assert (ROOT / "Dockerfile").is_file()


def test_app_scales_out_behind_one_postgres_after_one_migration() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    app = compose["services"]["app"]
    # Every replica waits for the one migration; none migrates itself.
    assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    command = " ".join(app["command"])
    assert "vdo db upgrade" not in command
    assert "vdo serve" in command
    assert "--workers" in command
    # A range of host ports, so that `--scale app=N` gives each replica one.
    [ports] = app["ports"]
    assert ports.split(":")[0].count("-") == 1
    assert app["environment"]["VDO_DATABASE_URL"].startswith("postgresql")
    assert (
        app["environment"]["VDO_DATABASE_URL"]
        == (compose["services"]["migrate"]["environment"]["VDO_DATABASE_URL"])
    )
