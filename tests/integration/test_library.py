"""The library: staff upload documents and add adopted minutes' circulars; anyone searches and
downloads the public ones, never the others."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import UTC, datetime

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine
from sqlmodel import select

from service.auth import service as auth
from service.circulars.models import Circular, CircularDocument
from service.db import session_scope
from service.library.models import MAX_FILE_BYTES, LibraryDocument
from tests.integration.minutes_world import build_world
from tests.integration.web_client import form_token, sign_in

pytestmark = pytest.mark.db
API = "/api/v1/library"
PDF = b"%PDF-1.7\n% a manual\n" + b"x" * 2000
PASSWORD = "a long enough password"


def _docx() -> bytes:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return packed.getvalue()


def _upload(
    client: TestClient,
    headers: dict[str, str],
    content: bytes = PDF,
    filename: str = "manual.pdf",
    **fields: object,
) -> dict[str, object]:
    data = {"title": "Manual", "year": "2025", "language": "en"} | {
        k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in fields.items()
    }
    response = client.post(
        API, headers=headers, data=data, files={"file": (filename, content, "text/plain")}
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_staff_upload_and_the_public_finds_and_downloads_only_public_documents(
    client: TestClient, staff_headers: dict[str, str]
) -> None:
    public = _upload(
        client,
        staff_headers,
        title="Public service innovation manual",
        summary="Best practice from the region",
        country="th",
        year=2024,
        language="th",
        public=True,
    )
    hidden = _upload(client, staff_headers, title="Internal notes", content=_docx(), public=False)
    assert public["media_type"] == "application/pdf"  # sniffed, not the header's text/plain
    assert public["country"] == "TH"
    assert hidden["media_type"].endswith("wordprocessingml.document")

    everyone = client.get(API).json()
    assert [d["title"] for d in everyone["items"]] == ["Public service innovation manual"]
    assert client.get(f"{API}/{hidden['id']}").status_code == 404
    assert client.get(f"{API}/{hidden['id']}/file").status_code == 404
    assert client.get(API, headers=staff_headers).json()["total"] == 2

    download = client.get(str(public["file_url"]))
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith('attachment; filename="manual.pdf"')


@pytest.mark.parametrize(
    ("params", "titles"),
    [
        ({"q": "INNOVATION"}, ["Innovation manual"]),
        ({"q": "regional"}, ["Ethics code"]),  # the summary is searched too
        ({"country": "vn"}, ["Ethics code"]),
        ({"year": 2023}, ["Ethics code"]),
        ({"language": "th"}, ["Innovation manual"]),
        ({"country": "TH", "year": 2023}, []),
        ({}, ["Innovation manual", "Ethics code"]),  # newest year first
    ],
)
def test_the_library_is_searched_by_words_country_year_and_language(
    client: TestClient, staff_headers: dict[str, str], params: dict[str, object], titles: list[str]
) -> None:
    _upload(
        client,
        staff_headers,
        title="Innovation manual",
        country="TH",
        year=2024,
        language="th",
        public=True,
    )
    _upload(
        client,
        staff_headers,
        title="Ethics code",
        summary="A regional code of conduct",
        country="VN",
        year=2023,
        language="vi",
        public=True,
    )
    found = client.get(API, params=params)
    assert found.status_code == 200, found.text
    assert [d["title"] for d in found.json()["items"]] == titles
    page = client.get("/library", params=params)
    assert page.status_code == 200
    for title in titles:
        assert title in page.text
    for absent in {"Innovation manual", "Ethics code"} - set(titles):
        assert absent not in page.text


def test_the_search_form_sent_empty_shows_everything(
    client: TestClient, staff_headers: dict[str, str]
) -> None:
    _upload(client, staff_headers, title="Innovation manual", public=True)
    empty = {"q": "", "country": "", "year": "", "language": ""}
    page = client.get("/library", params=empty)
    assert page.status_code == 200
    assert "Innovation manual" in page.text


def test_uploads_are_limited_in_size_and_type_and_described_properly(
    client: TestClient, staff_headers: dict[str, str], delegate_headers: dict[str, str]
) -> None:
    def refused(content: bytes = PDF, **fields: str) -> dict[str, object]:
        data = {"title": "Manual", "year": "2025", "language": "en"} | fields
        response = client.post(
            API, headers=staff_headers, data=data, files={"file": ("f.pdf", content)}
        )
        assert 400 <= response.status_code < 500, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        return response.json()

    assert "not a PDF, DOCX, XLSX, PNG or JPEG" in str(refused(b"<html><script>x</script>"))
    assert "empty" in str(refused(b""))
    assert "larger than 20 MB" in str(refused(b"%PDF-" + b"0" * MAX_FILE_BYTES))
    refused(language="klingon")
    refused(language="zz")
    refused(year="1900")
    refused(title="   ")
    refused(country="XX")
    refused(colour="red")  # unknown fields are refused here too
    assert client.get(API, headers=staff_headers).json()["total"] == 0
    forbidden = client.post(
        API, headers=delegate_headers, data={"title": "x"}, files={"file": ("f.pdf", PDF)}
    )
    assert forbidden.status_code == 403


def test_staff_publish_withdraw_describe_and_delete(
    client: TestClient, staff_headers: dict[str, str]
) -> None:
    document = _upload(client, staff_headers, title="Draft manual")
    url = f"{API}/{document['id']}"
    assert client.get(url).status_code == 404
    published = client.patch(url, headers=staff_headers, json={"public": True, "country": "SG"})
    assert published.status_code == 200, published.text
    assert published.json()["country"] == "SG"
    assert client.get(url).status_code == 200
    network_wide = client.patch(url, headers=staff_headers, json={"country": None})
    assert network_wide.json()["country"] is None
    assert client.patch(url, headers=staff_headers, json={"year": None}).status_code == 422
    assert client.patch(url, headers=staff_headers, json={}).status_code == 422
    assert client.delete(url, headers=staff_headers).status_code == 204
    assert client.get(url, headers=staff_headers).status_code == 404


def _circulars(engine: Engine) -> tuple[int, int]:
    """An adopted minutes' circular with its PDF, and a notice of meeting, as issued."""
    world = build_world(engine)
    ids = []
    with session_scope(engine) as db:
        user = auth.create_user(db, email="clerk@example.org", name="Clerk", role="secretariat")
        for sequence, kind in enumerate(["minutes", "notice"], start=1):
            circular = Circular(
                session_id=world.session,
                kind=kind,
                language="en",
                body="APS",
                year=2026,
                sequence=sequence,
                reference=f"APS/2026/{sequence}",
                title=f"Monthly coordination 2: {kind}",
                issued_at=datetime.now(UTC),
                issued_by=user.id or 0,
            )
            db.add(circular)
            db.flush()
            content = b"%PDF-1.7 " + kind.encode()
            db.add(
                CircularDocument(
                    circular_id=circular.id or 0,
                    format="pdf",
                    content=content,
                    sha256=hashlib.sha256(content).hexdigest(),
                )
            )
            ids.append(circular.id or 0)
    return ids[0], ids[1]


def test_an_adopted_minutes_circular_goes_into_the_library_once(
    client: TestClient, staff_headers: dict[str, str], engine: Engine
) -> None:
    minutes, notice = _circulars(engine)
    added = client.post(f"{API}/circulars", headers=staff_headers, json={"circular_id": minutes})
    assert added.status_code == 201, added.text
    document = added.json()
    assert document["title"] == "Monthly coordination 2: minutes"
    assert document["filename"] == "APS_2026_1.pdf"
    assert document["public"] is True
    assert client.get(str(document["file_url"])).content == b"%PDF-1.7 minutes"
    again = client.post(f"{API}/circulars", headers=staff_headers, json={"circular_id": minutes})
    assert again.status_code == 409
    wrong_kind = client.post(
        f"{API}/circulars", headers=staff_headers, json={"circular_id": notice}
    )
    assert wrong_kind.status_code == 409
    missing = client.post(f"{API}/circulars", headers=staff_headers, json={"circular_id": 99999})
    assert missing.status_code == 404


def test_staff_upload_publish_and_add_circulars_through_the_pages(
    web: TestClient, engine: Engine
) -> None:
    minutes, _ = _circulars(engine)
    assert 'action="/sign-in"' in web.get("/staff/library").text
    with session_scope(engine) as db:
        auth.create_user(
            db, email="librarian@example.org", name="L", role="secretariat", password=PASSWORD
        )
        auth.create_user(
            db, email="reader@example.org", name="R", role="delegate", password=PASSWORD
        )
    sign_in(web, "reader@example.org", PASSWORD)
    refused = web.get("/staff/library")
    assert refused.status_code == 403
    assert "for secretariat staff" in refused.text
    posted = web.post(
        "/staff/library/circulars",
        data={"circular_id": str(minutes), "_csrf_token": form_token(web, "/library")},
    )
    assert posted.status_code == 403
    sign_in(web, "librarian@example.org", PASSWORD)
    page = web.get("/staff/library")
    assert "APS/2026/1" in page.text
    assert "APS/2026/2" not in page.text  # a notice is not offered
    token = form_token(web, "/staff/library")
    fields = {"title": "Open data guide", "year": "2025", "language": "en", "country": "PH"}

    bad = web.post(
        "/staff/library",
        data=fields | {"_csrf_token": token},
        files={"file": ("guide.exe", b"MZ\x90\x00")},
    )
    assert bad.status_code == 422
    assert "not a PDF, DOCX, XLSX, PNG or JPEG" in bad.text
    uploaded = web.post(
        "/staff/library",
        data=fields | {"_csrf_token": token},
        files={"file": ("guide.docx", _docx())},
        follow_redirects=False,
    )
    assert uploaded.status_code == 303
    assert "Open data guide" not in web.get("/library").text  # not public yet
    assert web.get(API).json()["total"] == 0

    with session_scope(engine) as db:
        stored = db.exec(select(LibraryDocument)).one()
        assert stored.country_code == "PH"
    made_public = web.post(
        f"/staff/library/{stored.id}/public",
        data={"public": "on", "_csrf_token": token},
        follow_redirects=False,
    )
    assert made_public.status_code == 303
    listed = web.get("/library").text
    assert "Open data guide" in listed
    assert "(DOCX, 1 KB)" in listed  # not the end of its media type, "DOCUMENT"

    added = web.post(
        "/staff/library/circulars",
        data={"circular_id": str(minutes), "_csrf_token": token},
        follow_redirects=False,
    )
    assert added.status_code == 303
    assert "Monthly coordination 2: minutes" in web.get("/library").text
    no_token = web.post(f"/staff/library/{stored.id}/delete", follow_redirects=False)
    assert no_token.status_code == 403


def test_a_form_posted_signed_out_comes_back_to_its_page_after_signing_in(
    web: TestClient,
) -> None:
    """A post cannot be repeated by following a link: signing in returns to the page the form
    was on (its Referer), not to the address the form posted to."""
    token = form_token(web, "/staff/library")
    refused = web.post(
        "/staff/library/1/delete",
        data={"_csrf_token": token},
        headers={"Referer": "http://testserver.local/staff/library?saved=1"},
    )
    assert refused.status_code == 200
    assert 'name="next" value="/staff/library?saved=1"' in refused.text
    # A page that is read comes back to itself.
    assert 'name="next" value="/staff/news"' in web.get("/staff/news").text
