"""No Docker engine runs here: check that compose.yaml parses and wires the three services."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_names_app_postgres_and_mailpit() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"app", "db", "mail"}
    assert services["app"]["build"] == "."
    assert "vdo db upgrade" in " ".join(services["app"]["command"])
    assert services["app"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["db"]["image"].startswith("postgres")
    assert "mailpit" in services["mail"]["image"]
    assert "pgdata" in compose["volumes"]
    assert (ROOT / "Dockerfile").is_file()
