"""The interactive API documentation at /schema, served entirely from this service.

Litestar's render plugins load their JavaScript and CSS from a CDN by default, so the page was
blank wherever the network is closed. Swagger UI's files come instead from the
`swagger-ui-bundle-v2` package (PyPI) and are served under ASSETS_PATH by the service itself.
"""

from __future__ import annotations

from litestar import Router
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router
from swagger_ui_bundle import swagger_ui_path

ASSETS_PATH = "/api-docs"


def swagger_ui() -> SwaggerRenderPlugin:
    """Swagger UI at /schema (and /schema/swagger, where earlier links point)."""
    return SwaggerRenderPlugin(
        path=["/", "/swagger"],
        js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        css_url=f"{ASSETS_PATH}/swagger-ui.css",
        standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>",
    )


def swagger_ui_assets() -> Router:
    return create_static_files_router(
        path=ASSETS_PATH, directories=[swagger_ui_path], include_in_schema=False
    )
