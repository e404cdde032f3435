"""The API documentation at /schema needs nothing from another host: its scripts, styles and
icon are served by the service itself."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from litestar.testing import TestClient

pytestmark = pytest.mark.db


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in {"src", "href"} and value]


@pytest.mark.parametrize("path", ["/schema", "/schema/swagger"])
def test_the_schema_page_loads_its_assets_from_this_service(client: TestClient, path: str) -> None:
    page = client.get(path)
    assert page.status_code == 200
    links = _Links()
    links.feed(page.text)
    assert len(links.urls) >= 4  # icon, stylesheet, two scripts
    assert [url for url in links.urls if not url.startswith("/") or url.startswith("//")] == []
    assert "cdn." not in page.text
    for url in links.urls:
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 500, url
    assert "SwaggerUIBundle" in client.get("/api-docs/swagger-ui-bundle.js").text


def test_the_api_document_says_which_reads_need_no_token(client: TestClient) -> None:
    paths = client.get("/schema/openapi.json").json()["paths"]
    for path in ["/api/v1/news", "/api/v1/news/{slug}", "/api/v1/library/{document_id}/file"]:
        assert {} in paths[path]["get"]["security"], path
    assert {} not in paths["/api/v1/news"]["post"]["security"]
    assert {} not in paths["/api/v1/sessions"]["get"]["security"]
