"""HTML forms and query strings as pydantic models.

A browser sends a field once per value: one checked box arrives as a string, two as a list;
an empty date or number input arrives as "". `BrowserForm` evens that out before validation,
so that the pages' models read like the JSON API's request bodies.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from service.errors import InvalidInput, field_error


def _is_list(annotation: Any) -> bool:
    return any(
        typing.get_origin(option) is list or option is list
        for option in (annotation, *typing.get_args(annotation))
    )


class BrowserForm(BaseModel):
    """A form or query string as a browser sends it (see the module's docstring)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def as_sent_by_a_browser(cls, raw: Any) -> Any:
        if not isinstance(raw, Mapping):
            return raw
        values: dict[str, Any] = {}
        for field_name, info in cls.model_fields.items():
            key = info.alias or field_name
            if key not in raw:
                continue
            value = raw[key]
            if _is_list(info.annotation):
                values[key] = value if isinstance(value, list) else [value]
            else:
                value = value[-1] if isinstance(value, list) and value else value
                if value != "" or info.annotation is str:
                    values[key] = value
        return values


Model = TypeVar("Model", bound=BaseModel)


def parse_form(model: type[Model], raw: Mapping[str, Any]) -> Model:
    """`raw` as `model`, or the reasons it is not, as a 422 a page can show."""
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        reasons = [
            field_error(".".join(map(str, e["loc"])) or "form", e["msg"]) for e in error.errors()
        ]
        summary = "; ".join(f"{r['field']}: {r['reason']}" for r in reasons)
        raise InvalidInput(f"Please check the form: {summary}", errors=reasons) from None
