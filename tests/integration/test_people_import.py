"""CSV import of people: all or nothing, with a report of every bad row."""

from __future__ import annotations

from litestar.testing import TestClient
from sqlalchemy import Engine, func
from sqlmodel import select

from service.db import session_scope
from service.directory.models import Agency, AgencyKind, Person

GOOD = (
    "name,email,agency,country,zone,language,title,position\n"
    "Somchai Jaidee,somchai@opdc.example.th,OPDC,,,th,Mr.,Director\n"
    "Aino Virtanen,aino@oulu.example.fi,,TH,Europe/Helsinki,en,Prof.,Professor\n"
)


def _people(engine: Engine) -> int:
    with session_scope(engine) as db:
        return db.exec(select(func.count()).select_from(Person)).one()


def _opdc(engine: Engine) -> None:
    with session_scope(engine) as db:
        db.add(
            Agency(
                name="Office of the Public Sector Development Commission",
                acronym="OPDC",
                country_code="TH",
                kind=AgencyKind.member_agency,
            )
        )


def _post(client: TestClient, headers: dict[str, str], text: str):
    return client.post(
        "/api/v1/people/import",
        content=text.encode(),
        headers=headers | {"Content-Type": "text/csv"},
    )


def test_good_file_imports_every_row(
    client: TestClient, staff_headers: dict[str, str], engine: Engine
) -> None:
    _opdc(engine)
    response = _post(client, staff_headers, GOOD)
    assert response.status_code == 201, response.text
    assert response.json() == {"imported": 2, "errors": []}
    people = client.get("/api/v1/people", headers=staff_headers).json()["items"]
    somchai = next(p for p in people if p["name"] == "Somchai Jaidee")
    assert somchai["zone"] == "Asia/Bangkok"
    assert somchai["language"] == "th"


def test_one_bad_row_refuses_the_file_and_reports_each_problem(
    client: TestClient, staff_headers: dict[str, str], engine: Engine
) -> None:
    _opdc(engine)
    text = GOOD + (
        "Bad Zone,bz@example.org,OPDC,,Asia/Bankok,en,,\n"
        "Dup,somchai@opdc.example.th,OPDC,,,en,,\n"
        "No Country,nc@example.org,,,,en,,\n"
        ",not-an-email,NOPE,,,fr,,\n"
    )
    response = _post(client, staff_headers, text)
    assert response.status_code == 422
    problem = response.json()
    assert "Nothing was imported: 4 of 6 rows" in problem["detail"]
    reported = {(e["row"], e["column"]) for e in problem["errors"]}
    assert {
        (4, "zone"),
        (5, "email"),
        (6, "country"),
        (7, "name"),
        (7, "email"),
        (7, "agency"),
        (7, "language"),
    } <= reported
    assert _people(engine) == 0


def test_missing_columns_and_delegates_are_refused(
    client: TestClient,
    staff_headers: dict[str, str],
    delegate_headers: dict[str, str],
    engine: Engine,
) -> None:
    response = _post(client, staff_headers, "full name,mail\nA,a@example.org\n")
    assert response.status_code == 422
    assert "no name, email column" in response.json()["detail"]
    assert _post(client, delegate_headers, GOOD).status_code == 403
    assert _people(engine) == 0


def test_unknown_columns_and_extra_cells_are_refused_by_name(
    client: TestClient, staff_headers: dict[str, str], engine: Engine
) -> None:
    misspelt = _post(client, staff_headers, "name,email,countyr\nA,a@example.org,TH\n")
    assert misspelt.status_code == 422, misspelt.text
    assert "countyr" in misspelt.json()["detail"]
    assert misspelt.json()["errors"] == [
        {"row": 1, "column": "countyr", "reason": "unknown column"}
    ]
    extra = _post(client, staff_headers, "name,email\nA,a@example.org\nB,b@example.org,TH\n")
    assert extra.status_code == 422, extra.text
    assert extra.json()["errors"] == [{"row": 3, "reason": "more cells than columns"}]
    assert _people(engine) == 0
