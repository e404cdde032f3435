"""Minutes through the API on both databases: revisions and their diff, the stale-revision 409,
every workflow step legal and illegal, comments and objections per country, the silence
procedure at the deadline, corrigenda, action items across sessions, and who may do what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine, update

from service.db import session_scope
from service.minutes import operations
from service.minutes.models import Minutes
from tests.dates import MovableClock
from tests.integration.minutes_world import World, build_world

TODAY = datetime.now(UTC).date()
DUE_SOON, BETWEEN, DUE_LATER = (str(TODAY + timedelta(days=d)) for d in (60, 75, 90))


@pytest.fixture
def world(engine: Engine) -> World:
    return build_world(engine)


def _url(world: World, tail: str = "") -> str:
    return f"/api/v1/sessions/{world.session}/minutes{tail}"


def _body(base: int, summary: str = "Members discussed the budget.", **extra: object) -> dict:
    return {
        "base_revision": base,
        "items": [
            {
                "number": "4",
                "title": "Substantive items",
                "summary": summary,
                "decisions": ["The budget is approved.", "<script>alert(1)</script> noted"],
                "actions": [
                    {"text": "Circulate the survey", "owner_country": "TH", "due": DUE_SOON}
                ],
            }
        ],
        "free_text": "Thanks to the host.",
    } | extra


def _in_days(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def _circulated(client: TestClient, staff: dict[str, str], world: World) -> dict:
    assert client.put(_url(world), headers=staff, json=_body(0)).status_code == 200
    response = client.post(_url(world, "/circulate"), headers=staff, json={"deadline": _in_days(7)})
    assert response.status_code == 200, response.text
    return response.json()


def _set_deadline(engine: Engine, world: World, deadline: datetime) -> None:
    with session_scope(engine) as db:
        db.exec(
            update(Minutes).where(Minutes.session_id == world.session).values(deadline=deadline)
        )  # type: ignore[call-overload]


def test_the_first_draft_starts_from_the_agenda_and_the_rsvps(
    client: TestClient, staff_headers: dict[str, str], world: World
) -> None:
    minutes = client.get(_url(world), headers=staff_headers).json()
    assert minutes["status"] == "draft"
    assert minutes["revision"] == 0
    assert minutes["items"][0]["title"] == "Opening remarks"
    attendance = {a["country"]: a["status"] for a in minutes["attendance"]}
    assert attendance == {"TH": "present", "VN": "apologies", "SG": "absent"}


def test_revisions_their_diff_and_the_stale_save_409_with_current_text(
    client: TestClient, staff_headers: dict[str, str], world: World
) -> None:
    first = client.put(_url(world), headers=staff_headers, json=_body(0))
    assert first.status_code == 200, first.text
    item = first.json()["items"][0]
    assert [d["number"] for d in item["decisions"]] == ["1", "2"]
    assert "&lt;script&gt;" in item["decisions"][1]["text_html"]
    assert "<script>" not in first.text.replace('"<script>alert(1)</script> noted"', "")
    second = client.put(_url(world), headers=staff_headers, json=_body(1, "Budget agreed."))
    assert second.json()["revision"] == 2
    stale = client.put(_url(world), headers=staff_headers, json=_body(1, "My edit"))
    assert stale.status_code == 409
    problem = stale.json()
    assert problem["current_revision"] == 2
    assert problem["current"]["items"][0]["summary"] == "Budget agreed."
    assert "revision 1" in problem["detail"]
    revisions = client.get(_url(world, "/revisions"), headers=staff_headers).json()
    assert [r["number"] for r in revisions] == [1, 2]
    assert revisions[0]["author"] == "Test secretariat"
    diff = client.get(_url(world, "/diff?from=1&to=2"), headers=staff_headers).json()["diff"]
    assert "-Members discussed the budget." in diff
    assert "+Budget agreed." in diff
    assert client.get(_url(world, "/diff?from=1&to=9"), headers=staff_headers).status_code == 404
    one = client.get(_url(world, "/revisions/1"), headers=staff_headers).json()
    assert one["content"]["items"][0]["summary"] == "Members discussed the budget."


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_body(0) | {"colour": "red"}, "colour"),
        ({"base_revision": 0, "attendance": [{"person_id": 1, "status": "asleep"}]}, "status"),
        (
            {
                "base_revision": 0,
                "items": [{"number": "1", "title": "t", "actions": [{"text": "x"}]}],
            },
            "owner",
        ),
        ({"base_revision": 0, "free_text": "x" * 50_001}, "free_text"),
    ],
)
def test_bad_minutes_are_refused_by_field(
    client: TestClient, staff_headers: dict[str, str], world: World, body: dict, field: str
) -> None:
    response = client.put(_url(world), headers=staff_headers, json=body)
    assert response.status_code == 400, response.text
    assert field in response.text
    assert client.get(_url(world), headers=staff_headers).json()["revision"] == 0


def test_illegal_transitions_from_draft_are_409_saying_why(
    client: TestClient, staff_headers: dict[str, str], world: World
) -> None:
    refusals = {
        "/adopt": "circulate them",
        "/withdraw": "nothing to withdraw",
    }
    for tail, reason in refusals.items():
        response = client.post(_url(world, tail), headers=staff_headers)
        assert response.status_code == 409, tail
        assert reason in response.json()["detail"]
    no_text = client.post(
        _url(world, "/circulate"), headers=staff_headers, json={"deadline": _in_days(7)}
    )
    assert no_text.status_code == 409
    assert "save the minutes first" in no_text.json()["detail"]
    corrigendum = client.post(
        _url(world, "/corrigenda"), headers=staff_headers, json=_body(0, note="typo")
    )
    assert corrigendum.status_code == 409
    assert "draft" in corrigendum.json()["detail"]
    comment = client.post(_url(world, "/comments"), headers=world.headers["TH"], json={"body": "x"})
    assert comment.status_code == 409
    assert "circulated" in comment.json()["detail"]
    assert client.put(_url(world), headers=staff_headers, json=_body(0)).status_code == 200
    past = client.post(
        _url(world, "/circulate"), headers=staff_headers, json={"deadline": _in_days(-1)}
    )
    assert past.status_code == 409
    assert "future" in past.json()["detail"]


def test_delegates_see_minutes_once_circulated_with_the_deadline_in_their_zone(
    client: TestClient, staff_headers: dict[str, str], world: World
) -> None:
    assert client.put(_url(world), headers=staff_headers, json=_body(0)).status_code == 200
    assert client.get(_url(world), headers=world.headers["TH"]).status_code == 404
    assert client.get(_url(world), headers=world.headers["MY"]).status_code == 403
    _circulated_after_save = client.post(
        _url(world, "/circulate"), headers=staff_headers, json={"deadline": _in_days(7)}
    )
    assert _circulated_after_save.status_code == 200
    thai = client.get(_url(world), headers=world.headers["TH"]).json()
    singapore = client.get(_url(world), headers=world.headers["SG"]).json()
    assert thai["status"] == "circulated"
    assert thai["deadline_zone"] == "Asia/Bangkok"
    assert thai["deadline_local"].endswith("+07:00")
    assert singapore["deadline_local"].endswith("+08:00")
    assert thai["deadline"] == singapore["deadline"]
    assert client.get(_url(world), headers=world.headers["MY"]).status_code == 403


def test_circulated_minutes_take_comments_and_refuse_edits_and_reposts(
    client: TestClient, staff_headers: dict[str, str], world: World, engine: Engine
) -> None:
    _circulated(client, staff_headers, world)
    edit = client.put(_url(world), headers=staff_headers, json=_body(1))
    assert edit.status_code == 409
    assert "withdraw" in edit.json()["detail"]
    again = client.post(
        _url(world, "/circulate"), headers=staff_headers, json={"deadline": _in_days(7)}
    )
    assert again.status_code == 409
    assert "already circulated" in again.json()["detail"]
    comment = client.post(
        _url(world, "/comments"),
        headers=world.headers["VN"],
        json={"item_number": "4", "body": "Please add <script>x</script> our view"},
    )
    assert comment.status_code == 201, comment.text
    assert comment.json()["country"] == "VN"
    assert "&lt;script&gt;" in comment.json()["body_html"]
    listed = client.get(_url(world, "/comments"), headers=world.headers["TH"]).json()
    assert [(c["item_number"], c["country"]) for c in listed] == [("4", "VN")]
    outsider = client.post(
        _url(world, "/comments"), headers=world.headers["MY"], json={"body": "x"}
    )
    assert outsider.status_code == 403
    _set_deadline(engine, world, datetime.now(UTC) - timedelta(minutes=1))
    late = client.post(_url(world, "/comments"), headers=world.headers["VN"], json={"body": "late"})
    assert late.status_code == 409
    assert "deadline" in late.json()["detail"]
    late_objection = client.post(
        _url(world, "/responses"),
        headers=world.headers["VN"],
        json={"position": "objection", "comment": "late"},
    )
    assert late_objection.status_code == 409


def test_an_objection_blocks_adoption_until_withdrawn_then_staff_adopt(
    client: TestClient, staff_headers: dict[str, str], world: World
) -> None:
    _circulated(client, staff_headers, world)
    for_another = client.post(
        _url(world, "/responses"),
        headers=world.headers["TH"],
        json={"country": "VN", "position": "no_objection"},
    )
    assert for_another.status_code == 403
    unexplained = client.post(
        _url(world, "/responses"), headers=world.headers["VN"], json={"position": "objection"}
    )
    assert unexplained.status_code == 400
    assert "comment" in unexplained.text
    objection = client.post(
        _url(world, "/responses"),
        headers=world.headers["VN"],
        json={"position": "objection", "comment": "Item 4 misstates our position."},
    )
    assert objection.status_code == 200, objection.text
    refused = client.post(_url(world, "/adopt"), headers=staff_headers)
    assert refused.status_code == 409
    assert "VN" in refused.json()["detail"]
    lifted = client.post(
        _url(world, "/responses"), headers=world.headers["VN"], json={"position": "no_objection"}
    )
    assert lifted.status_code == 200
    adopted = client.post(_url(world, "/adopt"), headers=staff_headers)
    assert adopted.status_code == 200, adopted.text
    minutes = adopted.json()
    assert minutes["status"] == "adopted"
    assert minutes["adopted_by_silence"] is False
    assert minutes["adopted_by"] == "Test secretariat"
    assert minutes["responses"][0]["recorded_by"] == "Linked user"
    assert minutes["adopted_revision"] == 1
    assert [(r["country"], r["position"]) for r in minutes["responses"]] == [("VN", "no_objection")]
    assert client.post(_url(world, "/adopt"), headers=world.headers["TH"]).status_code == 403


def test_adopted_minutes_are_locked_and_corrected_by_corrigendum(
    client: TestClient, staff_headers: dict[str, str], world: World
) -> None:
    _circulated(client, staff_headers, world)
    assert client.post(_url(world, "/adopt"), headers=staff_headers).status_code == 200
    for tail, reason in {"/adopt": "already adopted", "/withdraw": "corrigendum"}.items():
        response = client.post(_url(world, tail), headers=staff_headers)
        assert response.status_code == 409, tail
        assert reason in response.json()["detail"], tail
    edit = client.put(_url(world), headers=staff_headers, json=_body(1))
    assert edit.status_code == 409
    assert "corrigendum" in edit.json()["detail"]
    again = client.post(
        _url(world, "/circulate"), headers=staff_headers, json={"deadline": _in_days(7)}
    )
    assert again.status_code == 409
    assert "already adopted" in again.json()["detail"]
    comment = client.post(_url(world, "/comments"), headers=world.headers["TH"], json={"body": "x"})
    assert comment.status_code == 409
    corrected = client.post(
        _url(world, "/corrigenda"),
        headers=staff_headers,
        json=_body(1, "Members discussed the 2031 budget.", note="The year was missing."),
    )
    assert corrected.status_code == 201, corrected.text
    assert corrected.json()["corrigendum_of"] == 1
    assert corrected.json()["note"]
    minutes = client.get(_url(world), headers=world.headers["TH"]).json()
    assert minutes["status"] == "adopted"
    assert minutes["revision"] == 2
    assert minutes["adopted_revision"] == 1  # what was adopted stays what it was
    diff = client.get(_url(world, "/diff?from=1&to=2"), headers=staff_headers).json()["diff"]
    assert "+Members discussed the 2031 budget." in diff


def test_withdrawing_returns_to_draft_and_lapses_responses(
    client: TestClient, staff_headers: dict[str, str], world: World
) -> None:
    _circulated(client, staff_headers, world)
    client.post(
        _url(world, "/responses"),
        headers=world.headers["SG"],
        json={"position": "objection", "comment": "No."},
    )
    withdrawn = client.post(_url(world, "/withdraw"), headers=staff_headers)
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "draft"
    assert withdrawn.json()["responses"] == []
    assert client.put(_url(world), headers=staff_headers, json=_body(1)).status_code == 200


def test_the_silence_procedure_adopts_at_the_deadline_unless_someone_objects(
    client: TestClient, staff_headers: dict[str, str], world: World, engine: Engine
) -> None:
    minutes = _circulated(client, staff_headers, world)
    deadline = datetime.fromisoformat(minutes["deadline"])
    client.post(
        _url(world, "/responses"), headers=world.headers["TH"], json={"position": "no_objection"}
    )
    with session_scope(engine) as db:
        assert operations.apply_silence_procedure(db, deadline - timedelta(seconds=1)) == []
        assert operations.apply_silence_procedure(db, deadline) == [world.session]
        assert operations.apply_silence_procedure(db, deadline) == []
    adopted = client.get(_url(world), headers=world.headers["SG"]).json()
    assert adopted["status"] == "adopted"
    assert adopted["adopted_by_silence"] is True
    assert datetime.fromisoformat(adopted["adopted_at"]) == deadline


def test_the_deadline_passes_on_the_application_clock(
    client: TestClient, staff_headers: dict[str, str], world: World, clock: MovableClock
) -> None:
    """Every minutes decision asks the injected clock, so a deadline passes when it says so."""
    _circulated(client, staff_headers, world)
    clock.advance(timedelta(days=8))

    settled = client.get(_url(world), headers=staff_headers).json()

    assert settled["status"] == "adopted"
    assert settled["adopted_by_silence"] is True
    late = client.post(
        _url(world, "/responses"),
        headers=world.headers["VN"],
        json={"position": "objection", "comment": "Too late."},
    )
    assert late.status_code == 409, late.text


def test_reading_minutes_past_the_deadline_settles_them_but_not_over_an_objection(
    client: TestClient, staff_headers: dict[str, str], world: World, engine: Engine
) -> None:
    _circulated(client, staff_headers, world)
    client.post(
        _url(world, "/responses"),
        headers=world.headers["VN"],
        json={"position": "objection", "comment": "No."},
    )
    _set_deadline(engine, world, datetime.now(UTC) - timedelta(minutes=1))
    assert client.get(_url(world), headers=staff_headers).json()["status"] == "circulated"
    assert client.post(_url(world, "/withdraw"), headers=staff_headers).status_code == 200
    recirculated = client.post(
        _url(world, "/circulate"), headers=staff_headers, json={"deadline": _in_days(1)}
    )
    assert recirculated.status_code == 200
    _set_deadline(engine, world, datetime.now(UTC) - timedelta(minutes=1))
    assert client.get(_url(world), headers=world.headers["TH"]).json()["status"] == "adopted"


def test_action_items_across_sessions_by_owner_status_and_due_date(
    client: TestClient, staff_headers: dict[str, str], world: World
) -> None:
    previous = f"/api/v1/sessions/{world.previous}/minutes"
    body = _body(0)
    body["items"][0]["actions"] = [
        {"text": "Survey", "owner_country": "TH", "due": DUE_SOON},
        {"text": "Report", "owner_person_id": world.people["VN"], "due": DUE_LATER},
        {"text": "Old idea", "owner_country": "TH", "status": "dropped"},
    ]
    assert client.put(previous, headers=staff_headers, json=body).status_code == 200
    assert client.put(_url(world), headers=staff_headers, json=_body(0)).status_code == 200

    def texts(query: str, headers: dict[str, str] = staff_headers) -> list[tuple[int, str]]:
        response = client.get(f"/api/v1/action-items{query}", headers=headers)
        assert response.status_code == 200, response.text
        return [(i["session_id"], i["text"]) for i in response.json()["items"]]

    assert texts("?owner_country=th&status=open") == [
        (world.previous, "Survey"),
        (world.session, "Circulate the survey"),
    ]
    assert texts(f"?owner_person={world.people['VN']}") == [(world.previous, "Report")]
    assert texts(f"?due_before={BETWEEN}") == [
        (world.previous, "Survey"),
        (world.session, "Circulate the survey"),
    ]
    assert texts(f"?due_after={BETWEEN}") == [(world.previous, "Report")]
    lost = client.get("/api/v1/action-items?status=lost", headers=staff_headers)
    assert lost.status_code == 400
    assert "status" in lost.json()["detail"]
    # Delegates see action items of circulated minutes of sessions they were invited to.
    assert texts("", world.headers["TH"]) == []
    client.post(f"{previous}/circulate", headers=staff_headers, json={"deadline": _in_days(3)})
    assert len(texts("", world.headers["TH"])) == 3
    assert texts("", world.headers["MY"]) == []
