"""A small ASEAN Pubs network built through the API, for scheduling and calendar tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from litestar.testing import TestClient

from service.directory.reference import MEMBER_STATES


@dataclass
class Network:
    bridge_id: int
    people: dict[str, int] = field(default_factory=dict)  # country code or partner -> person id


def make_bridge(
    client: TestClient,
    headers: dict[str, str],
    name: str = "Room A",
    provider: str = "jitsi",
    settings: dict | None = None,
) -> int:
    response = client.post(
        "/api/v1/bridges",
        headers=headers,
        json={
            "name": name,
            "provider": provider,
            "settings": settings or {"base_url": "https://meet.example.org"},
        },
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def build_network(client: TestClient, headers: dict[str, str]) -> Network:
    """One member agency and one delegate per member state, a partner in Helsinki, one bridge."""
    network = Network(bridge_id=make_bridge(client, headers))
    for member in MEMBER_STATES:
        agency = client.post(
            "/api/v1/agencies",
            headers=headers,
            json={
                "name": f"Civil service agency of {member.name}",
                "acronym": f"CSA-{member.code}",
                "country_code": member.code,
                "kind": "member_agency",
            },
        )
        assert agency.status_code == 201, agency.text
        person = client.post(
            "/api/v1/people",
            headers=headers,
            json={
                "name": f"Delegate {member.code}",
                "email": f"delegate@{member.code.lower()}.example",
                "agency_id": agency.json()["id"],
            },
        )
        assert person.status_code == 201, person.text
        network.people[member.code] = person.json()["id"]
    finland = client.post(
        "/api/v1/countries",
        headers=headers,
        json={
            "code": "FI",
            "name": "Finland",
            "capital_zone": "Europe/Helsinki",
            "holiday_code": "FI",
        },
    )
    assert finland.status_code == 201, finland.text
    oulu = client.post(
        "/api/v1/people",
        headers=headers,
        json={"name": "Aino Virtanen", "email": "aino@oulu.example.fi", "country_code": "FI"},
    )
    network.people["FI"] = oulu.json()["id"]
    return network


def book(client: TestClient, headers: dict[str, str], network: Network, **fields: object):
    body = {
        "title": "ASEAN Pubs monthly",
        "duration_minutes": 60,
        "organiser_zone": "Asia/Bangkok",
        "bridge_id": network.bridge_id,
    } | fields
    return client.post("/api/v1/sessions", headers=headers, json=body)
