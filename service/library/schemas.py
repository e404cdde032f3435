"""Request and response bodies of the library API (`/api/v1/library`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from babel import Locale, UnknownLocaleError
from litestar.datastructures import UploadFile
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from service.request_body import CountryCode, RequestBody

MIN_YEAR, MAX_YEAR = 1967, 2100  # from ASEAN's founding


def _known_language(code: str) -> str:
    try:
        Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        raise ValueError(f"{code!r} is not an ISO 639-1 language code") from None
    return code


LanguageCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, min_length=2, max_length=3),
    AfterValidator(_known_language),
    Field(description="ISO 639-1, e.g. en, th, vi"),
]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]
Summary = Annotated[str, Field(max_length=2000)]


class DocumentFields(RequestBody):
    """What is said about a document, as uploaded."""

    title: Title
    year: Year
    language: LanguageCode
    country: CountryCode | None = Field(default=None, description="None: the whole network's")
    summary: Summary = ""
    public: bool = Field(default=False, description="false: only staff see it")


class DocumentUpload(DocumentFields):
    """A multipart form: the file, and the fields of `DocumentFields`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    file: UploadFile


class DocumentUpdate(RequestBody):
    title: Title | None = None
    year: Year | None = None
    language: LanguageCode | None = None
    country: CountryCode | None = None
    summary: Summary | None = None
    public: bool | None = None


class FromCircular(RequestBody):
    """An adopted minutes' circular into the library, its PDF as the file."""

    circular_id: int
    summary: Summary = ""
    public: bool = True


class DocumentRead(BaseModel):
    id: int
    title: str
    summary: str
    country: str | None
    year: int
    language: str
    public: bool
    filename: str
    media_type: str
    size: int
    circular_id: int | None
    updated_at: datetime
    file_url: str = Field(description="Where the file is downloaded")
