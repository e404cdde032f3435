"""The one wiring point: `create_app(settings)` builds the Litestar application."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from litestar import Litestar, Router, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.response import Response
from sqlalchemy import Engine, text

import service.tables  # noqa: F401 - every table, and the calendar counter's flush hook
from service import __doc__ as product_description
from service.auth.controller import AccountController
from service.auth.guards import BearerTokenMiddleware, TokenOwners
from service.calendar.change_counter import ChangeCounter
from service.calendar.controller import (
    UnchangedFeeds,
    api_calendar_handlers,
    public_calendar_router,
)
from service.calendar.feeds import FeedCache, FeedSource
from service.calendars.controller import OfficialCalendarController, calendar_coverage
from service.circulars.controller import CircularController, SessionCircularController
from service.clock import Clock, SystemClock
from service.conferencing.controller import BridgeController
from service.db import make_engine
from service.delivery import worker
from service.delivery.controller import OutboxController, WebhookController
from service.dependencies import provide_clock, provide_db
from service.directory.controller import AgencyController, CountryController, PersonController
from service.http.abuse_limits import AbuseLimits, SharedFailures
from service.http.api_docs import swagger_ui, swagger_ui_assets
from service.http.problems import problem_handlers
from service.library.controller import LibraryController
from service.minutes.controller import ActionItemController, AgendaController, MinutesController
from service.news.controller import NewsController
from service.request_body import MAX_JSON_BODY_BYTES, JsonBodyRequest
from service.request_log import logging_config, request_logging
from service.scheduling.controller import (
    PlannerController,
    SessionController,
    SessionListPages,
    UnavailabilityController,
)
from service.scheduling.planner_service import PlannerMemory
from service.settings import Settings
from service.web.routes import web_router
from service.web.security import add_security_headers, session_config

API_PREFIX = "/api/v1"


HEALTH_DEADLINE_SECONDS = 3.0


def _database_ok(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        logging.getLogger("vdo").exception("health check: database unreachable")
        return False


async def _database_answers(state: State) -> bool:
    """Whether the database answers within the deadline.

    The check runs on threads of its own, so requests stuck on a hanging database cannot starve
    it; a check that is itself stuck is abandoned at the deadline."""
    with anyio.move_on_after(HEALTH_DEADLINE_SECONDS):
        return await anyio.to_thread.run_sync(
            _database_ok, state.engine, abandon_on_cancel=True, limiter=state.health_threads
        )
    logging.getLogger("vdo").error(
        "health check: no answer from the database within %g s", HEALTH_DEADLINE_SECONDS
    )
    return False


@get("/health", tags=["operations"], summary="Liveness and database reachability")
async def health(state: State) -> Response[dict[str, str]]:
    if await _database_answers(state):
        return Response({"status": "ok", "database": "ok"}, status_code=200)
    return Response(
        {
            "status": "degraded",
            "database": "unreachable",
            "detail": "The service runs, but its database is unreachable.",
        },
        status_code=503,
    )


def api_route_handlers() -> list[Any]:
    return [
        AccountController,
        CountryController,
        OfficialCalendarController,
        calendar_coverage,
        AgencyController,
        PersonController,
        BridgeController,
        PlannerController,
        SessionController,
        UnavailabilityController,
        SessionCircularController,
        CircularController,
        AgendaController,
        MinutesController,
        ActionItemController,
        *api_calendar_handlers(),
        OutboxController,
        WebhookController,
        NewsController,
        LibraryController,
    ]


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    clock: Clock | None = None,
) -> Litestar:
    settings = settings or Settings.from_env()
    settings.check()
    engine = engine or make_engine(settings.database_url, settings.database_timeouts)
    change_counter = ChangeCounter(engine)

    @asynccontextmanager
    async def threads_worker_listener_and_engine(
        app: Litestar,
    ) -> AsyncGenerator[None, None]:
        # A limiter belongs to the event loop it was made in: one per run of the app.
        app.state.health_threads = anyio.CapacityLimiter(2)
        embedded = worker.start_in_thread(engine, settings) if settings.embedded_worker else None
        listener = asyncio.create_task(change_counter.listen()) if change_counter.pushed else None
        try:
            yield
        finally:
            if listener is not None:
                listener.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listener
            if embedded is not None:
                thread, stop = embedded
                stop.set()
                thread.join(timeout=30)
            engine.dispose()

    api = Router(
        path=API_PREFIX,
        route_handlers=api_route_handlers(),
        middleware=[DefineMiddleware(BearerTokenMiddleware)],
        security=[{"bearer": []}],
    )
    middleware = [request_logging()] if settings.log_requests else []
    middleware.append(session_config(settings).middleware)
    feed_source = FeedSource(engine, settings, FeedCache(), change_counter)
    app_clock = clock or SystemClock()
    # Several processes serve only on PostgreSQL: there they count failures together.
    shared = SharedFailures(engine) if engine.dialect.name == "postgresql" else None
    abuse_limits = AbuseLimits(shared)
    app = Litestar(
        route_handlers=[
            health,
            api,
            public_calendar_router(),
            web_router(settings),
            swagger_ui_assets(),
        ],
        dependencies={
            "db": Provide(provide_db),
            "clock": Provide(provide_clock, sync_to_thread=False),
        },
        exception_handlers=problem_handlers,
        request_class=JsonBodyRequest,
        request_max_body_size=MAX_JSON_BODY_BYTES,
        middleware=middleware,
        lifespan=[threads_worker_listener_and_engine],
        before_send=[add_security_headers],
        state=State(
            {
                "settings": settings,
                "engine": engine,
                "clock": app_clock,
                "abuse_limits": abuse_limits,
                "change_counter": change_counter,
                "token_owners": TokenOwners(),
                "planner_memory": PlannerMemory(change_counter),
                "session_list_pages": SessionListPages(512),
                "feed_source": feed_source,
            }
        ),
        logging_config=logging_config(),
        openapi_config=OpenAPIConfig(
            title="ASEAN Pubs VDO-Conference Service",
            version="1",
            description=product_description,
            path="/schema",
            render_plugins=[swagger_ui()],
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(
                        type="http", scheme="bearer", description="`vdo user create` prints a token"
                    )
                }
            ),
        ),
        debug=False,
    )
    if not settings.log_requests:
        # Litestar's own extension point for wrapping its router (as its CORS support does).
        app.asgi_handler = UnchangedFeeds(app.asgi_handler, feed_source, app_clock, abuse_limits)
    return app


def served_app(settings: Settings | None = None) -> Litestar:
    """The application as `vdo serve` runs it (each worker process calls this).

    What exists once it is built (modules, templates, the app itself: some 200,000 objects)
    lives as long as the process, so it is moved out of the garbage collector's sight: each
    full collection otherwise walks all of it, a pause of 100 ms and more in the middle of some
    request. Tests build many applications and keep the collector's default."""
    app = create_app(settings)
    gc.freeze()
    return app
