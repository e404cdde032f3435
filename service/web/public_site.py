"""The network's public site beside the schedule: news, with its Atom feed, and the library;
and the staff pages that write the news and fill the library. Thin handlers over
`service.news` and `service.library`, as the JSON API is."""

from __future__ import annotations

from typing import Annotated, Any

import fontpkg_sarabun
from litestar import Controller, Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, QueryParameter
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlmodel import Session

from service.auth.principal import Principal
from service.dependencies import AppClock, Db
from service.directory.service import list_countries
from service.errors import InvalidInput
from service.library import operations as library
from service.library import queries as library_queries
from service.library.models import MAX_FILE_BYTES, LibraryDocument
from service.library.schemas import DocumentFields, DocumentUpdate, FromCircular
from service.news import operations as news
from service.news import queries as news_queries
from service.news.models import NewsPost
from service.news.schemas import MAX_BODY, PostCreate, PostUpdate
from service.queries import MAX_SEARCH_LENGTH
from service.rendering.templates import render
from service.web import views
from service.web.accounts import signed_in
from service.web.controller import Form, HtmlResponse, page
from service.web.language import reader_language
from service.web.staff_access import staff, staff_gate

NEWS_PAGE_SIZE = 50
ATOM = "application/atom+xml"


def _post_item(post: NewsPost, request: Request[Any, Any, Any]) -> dict[str, Any]:
    """A post as the pages list it, its date in the reader's zone and language."""
    zone = views.chosen_zone(request.cookies.get(views.ZONE_COOKIE))
    moment = post.published_at or post.updated_at
    return {
        "slug": post.slug,
        "title": post.title,
        "language": post.language,
        "published": post.published,
        "iso": moment.isoformat(),
        "day": views.day(moment, zone, reader_language(request)),
    }


class NewsPages(Controller):
    path = "/news"

    @get(sync_to_thread=True, include_in_schema=False)
    def news_index(self, db: Db, request: Request[Any, Any, Any]) -> HtmlResponse:
        viewer = signed_in(db, request)
        posts, total = news_queries.list_posts(
            db, include_drafts=False, limit=NEWS_PAGE_SIZE, offset=0
        )
        return page(
            request,
            viewer,
            "news/index.html",
            posts=[_post_item(p, request) for p in posts],
            more=total > len(posts),
        )

    @get("/{slug:str}", sync_to_thread=True, include_in_schema=False)
    def news_post(
        self, db: Db, request: Request[Any, Any, Any], slug: FromPath[str]
    ) -> HtmlResponse:
        viewer = signed_in(db, request)
        drafts = viewer is not None and viewer.is_staff
        found = news_queries.get_post(db, slug, include_drafts=drafts)
        return page(request, viewer, "news/post.html", post=found, shown=_post_item(found, request))


@get("/news.atom", sync_to_thread=True, include_in_schema=False, media_type=ATOM)
def news_feed(db: Db, clock: AppClock, request: Request[Any, Any, Any]) -> Response[str]:
    """The published posts as an Atom feed (RFC 4287), newest first."""
    posts = news_queries.latest_published(db)
    updated = max((p.updated_at for p in posts), default=clock.now())
    body = render(
        "news/atom.xml",
        base_url=request.app.state.settings.base_url.rstrip("/"),
        posts=posts,
        updated=updated,
    )
    # Feed readers poll: a few minutes' staleness spares rendering every post's Markdown each time.
    return Response(body, media_type=ATOM, headers={"cache-control": "public, max-age=300"})


class PostForm(BaseModel):
    """The post form as posted; checked against the API's own bodies before anything is saved."""

    title: str = Field(default="", max_length=1000)
    body: str = Field(default="", max_length=MAX_BODY * 2)
    language: str = Field(default="en", max_length=10)
    published: str | None = Field(default=None, max_length=10)  # a ticked box sends "on"
    slug: str = Field(default="", max_length=200)

    def post_fields(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "body": self.body,
            "language": self.language,
            "published": self.published is not None,
        }


def _problems(error: ValidationError) -> list[str]:
    return [f"{'.'.join(str(part) for part in e['loc'])}: {e['msg']}" for e in error.errors()]


class NewsEditorPages(Controller):
    """Staff write, publish, withdraw and delete posts (the API's operations, as forms)."""

    path = "/staff/news"
    guards = [staff_gate]

    def _editor(
        self,
        db: Session,
        request: Request[Any, Any, Any],
        viewer: Principal,
        *,
        form: PostForm | None = None,
        problems: list[str] | None = None,
    ) -> HtmlResponse:
        posts, _ = news_queries.list_posts(db, include_drafts=True, limit=200, offset=0)
        return page(
            request,
            viewer,
            "news/editor.html",
            status_code=HTTP_422_UNPROCESSABLE_ENTITY if problems else 200,
            posts=[_post_item(p, request) for p in posts],
            form=form or PostForm(),
            problems=problems or [],
        )

    @get(sync_to_thread=True, include_in_schema=False)
    def editor(self, db: Db, request: Request[Any, Any, Any]) -> HtmlResponse:
        viewer = staff(db, request)
        return self._editor(db, request, viewer)

    @post(sync_to_thread=True, include_in_schema=False)
    def create(
        self,
        db: Db,
        clock: AppClock,
        request: Request[Any, Any, Any],
        data: Annotated[PostForm, Form],
    ) -> Response[Any]:
        viewer = staff(db, request)
        try:
            wanted = PostCreate.model_validate(data.post_fields() | {"slug": data.slug or None})
        except ValidationError as error:
            return self._editor(db, request, viewer, form=data, problems=_problems(error))
        created = news.create_post(db, wanted, viewer.user_id, clock.now())
        return Redirect(path=f"/staff/news/{created.slug}?saved=1", status_code=303)

    @get("/{slug:str}", sync_to_thread=True, include_in_schema=False)
    def edit(
        self,
        db: Db,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        saved: FromQuery[bool] = False,
    ) -> HtmlResponse:
        viewer = staff(db, request)
        found = news_queries.get_post(db, slug, include_drafts=True)
        form = PostForm(
            title=found.title,
            body=found.body,
            language=found.language,
            published="on" if found.published else None,
            slug=found.slug,
        )
        return page(
            request, viewer, "news/edit.html", post=found, form=form, problems=[], saved=saved
        )

    @post("/{slug:str}", sync_to_thread=True, include_in_schema=False)
    def save(
        self,
        db: Db,
        clock: AppClock,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        data: Annotated[PostForm, Form],
    ) -> Response[Any]:
        viewer = staff(db, request)
        try:
            changes = PostUpdate.model_validate(data.post_fields())
        except ValidationError as error:
            found = news_queries.get_post(db, slug, include_drafts=True)
            return page(
                request,
                viewer,
                "news/edit.html",
                status_code=HTTP_422_UNPROCESSABLE_ENTITY,
                post=found,
                form=data,
                problems=_problems(error),
                saved=False,
            )
        news.update_post(db, slug, changes, clock.now())
        return Redirect(path=f"/staff/news/{slug}?saved=1", status_code=303)

    @post("/{slug:str}/delete", sync_to_thread=True, include_in_schema=False)
    def delete(self, db: Db, request: Request[Any, Any, Any], slug: FromPath[str]) -> Response[Any]:
        staff(db, request)
        news.delete_post(db, slug)
        return Redirect(path="/staff/news", status_code=303)


LIBRARY_PAGE_SIZE = 100


def _document_item(document: LibraryDocument, language: str) -> dict[str, Any]:
    return {
        "id": document.id,
        "title": document.title,
        "summary": document.summary,
        "country": document.country_code,
        "year": document.year,
        "language": document.language,
        "language_name": views.language_name(document.language, language),
        "public": document.public,
        "size": views.file_size(document.size),
        "kind": views.file_kind(document.media_type),
        "file_url": library_queries.FILE_PATH.format(id=document.id),
    }


def _library_choices(db: Session, language: str, *, include_private: bool) -> dict[str, Any]:
    """The search form's choices: the directory's countries and the years and languages of
    the documents there are."""
    years, languages = library_queries.years_and_languages(db, include_private=include_private)
    return {
        "countries": [(c.code, c.name) for c in list_countries(db)],
        "years": years,
        "document_languages": [(code, views.language_name(code, language)) for code in languages],
    }


class LibraryPages(Controller):
    path = "/library"

    @get(sync_to_thread=True, include_in_schema=False)
    def library_index(
        self,
        db: Db,
        request: Request[Any, Any, Any],
        q: Annotated[str | None, QueryParameter(max_length=MAX_SEARCH_LENGTH)] = None,
        country: Annotated[str | None, QueryParameter(max_length=2)] = None,
        # Text: the form sends an empty year for "any year".
        year: Annotated[str | None, QueryParameter(max_length=4)] = None,
        language: Annotated[str | None, QueryParameter(max_length=8)] = None,
    ) -> HtmlResponse:
        viewer = signed_in(db, request)
        wanted = library_queries.Search(
            q=q or None,
            country=country or None,
            year=int(year) if year and year.isdigit() else None,
            language=language or None,
        )
        found, total = library_queries.search(
            db, wanted, include_private=False, limit=LIBRARY_PAGE_SIZE, offset=0
        )
        reader = reader_language(request)
        return page(
            request,
            viewer,
            "library/index.html",
            wanted=wanted,
            searched=wanted != library_queries.Search(),
            documents=[_document_item(d, reader) for d in found],
            total=total,
            **_library_choices(db, reader, include_private=False),
        )


class UploadForm(BaseModel):
    """The upload form as posted (multipart); checked against the API's `DocumentFields`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    title: str = Field(default="", max_length=1000)
    year: str = Field(default="", max_length=10)
    language: str = Field(default="", max_length=10)
    country: str = Field(default="", max_length=10)
    summary: str = Field(default="", max_length=5000)
    public: str | None = Field(default=None, max_length=10)
    file: UploadFile | None = None


class PublicForm(BaseModel):
    public: str | None = Field(default=None, max_length=10)


class CircularForm(BaseModel):
    circular_id: int


class LibraryEditorPages(Controller):
    """Staff upload documents, add adopted minutes' circulars, publish and remove them."""

    path = "/staff/library"
    guards = [staff_gate]

    def _editor(
        self,
        db: Session,
        request: Request[Any, Any, Any],
        viewer: Principal,
        *,
        problems: list[str] | None = None,
        form: UploadForm | None = None,
        saved: bool = False,
    ) -> HtmlResponse:
        reader = reader_language(request)
        found, _ = library_queries.search(
            db, library_queries.Search(), include_private=True, limit=500, offset=0
        )
        return page(
            request,
            viewer,
            "library/editor.html",
            status_code=HTTP_422_UNPROCESSABLE_ENTITY if problems else 200,
            documents=[_document_item(d, reader) for d in found],
            circulars=library_queries.minutes_circulars_not_in_library(db),
            problems=problems or [],
            form=form or UploadForm(),
            max_mb=MAX_FILE_BYTES // (1024 * 1024),
            saved=saved,
            **_library_choices(db, reader, include_private=True),
        )

    @get(sync_to_thread=True, include_in_schema=False)
    def editor(
        self, db: Db, request: Request[Any, Any, Any], saved: FromQuery[bool] = False
    ) -> HtmlResponse:
        viewer = staff(db, request)
        return self._editor(db, request, viewer, saved=saved)

    @post(
        sync_to_thread=True,
        include_in_schema=False,
        request_max_body_size=MAX_FILE_BYTES + 64 * 1024,
    )
    def upload(
        self,
        db: Db,
        clock: AppClock,
        request: Request[Any, Any, Any],
        data: Annotated[UploadForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Response[Any]:
        viewer = staff(db, request)
        try:
            fields = DocumentFields.model_validate(
                {
                    "title": data.title,
                    "year": data.year,
                    "language": data.language,
                    "country": data.country or None,
                    "summary": data.summary,
                    "public": data.public is not None,
                }
            )
        except ValidationError as error:
            return self._editor(db, request, viewer, problems=_problems(error), form=data)
        if data.file is None:
            return self._editor(db, request, viewer, problems=["file: choose a file"], form=data)
        content = data.file.file.read(MAX_FILE_BYTES + 1)
        try:
            library.add_document(
                db, fields, data.file.filename, content, viewer.user_id, clock.now()
            )
        except InvalidInput as refused:
            return self._editor(db, request, viewer, problems=[str(refused)], form=data)
        return Redirect(path="/staff/library?saved=1", status_code=303)

    @post("/circulars", sync_to_thread=True, include_in_schema=False)
    def add_circular(
        self,
        db: Db,
        clock: AppClock,
        request: Request[Any, Any, Any],
        data: Annotated[CircularForm, Form],
    ) -> Response[Any]:
        viewer = staff(db, request)
        wanted = FromCircular(circular_id=data.circular_id)
        library.add_circular(db, wanted, viewer.user_id, clock.now())
        return Redirect(path="/staff/library?saved=1", status_code=303)

    @post("/{document_id:int}/public", sync_to_thread=True, include_in_schema=False)
    def set_public(
        self,
        db: Db,
        clock: AppClock,
        request: Request[Any, Any, Any],
        document_id: FromPath[int],
        data: Annotated[PublicForm, Form],
    ) -> Response[Any]:
        staff(db, request)
        change = DocumentUpdate(public=data.public is not None)
        library.update_document(db, document_id, change, clock.now())
        return Redirect(path="/staff/library?saved=1", status_code=303)

    @post("/{document_id:int}/delete", sync_to_thread=True, include_in_schema=False)
    def delete(
        self, db: Db, request: Request[Any, Any, Any], document_id: FromPath[int]
    ) -> Response[Any]:
        staff(db, request)
        library.delete_document(db, document_id)
        return Redirect(path="/staff/library", status_code=303)


def thai_font_files() -> Router:
    """Sarabun, the Thai government's standard typeface (PyPI's fontpkg-sarabun, which the PDF
    circulars use too), for readers whose system has no Thai font: site.css loads it for Thai
    characters only."""
    return create_static_files_router(
        path="/fonts", directories=[fontpkg_sarabun.ROOT / "files"], include_in_schema=False
    )


def public_site_pages() -> list[Any]:
    return [
        NewsPages,
        news_feed,
        NewsEditorPages,
        LibraryPages,
        LibraryEditorPages,
        thai_font_files(),
    ]
