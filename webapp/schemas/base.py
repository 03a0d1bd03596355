"""The base of every input model: strict JSON types, unknown fields refused, vocabularies named lazily."""
from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, ValidationInfo, model_validator

from webapp.schemas.fields import refuse_bad_text


class Input(BaseModel):
    """A request body or frame: 30 is not "30" nor 30.0 nor true, and a typo is not silently ignored."""

    model_config = ConfigDict(strict=True, extra="forbid", populate_by_name=True)

    #: The code a wrong or missing field answers instead of invalid_type / missing_field.
    error_codes: ClassVar[dict[str, str]] = {}

    @model_validator(mode="before")
    @classmethod
    def _only_text(cls, data, info: ValidationInfo):
        """Every string of the input, known field or not, is text (`invalid_text`, 400), before anything reads it
        (unless the caller checked the whole document already and says so: context {"text_checked": True})."""
        if not (info.context and info.context.get("text_checked")):
            refuse_bad_text(data)
        return data


class Query(Input):
    """Query parameters: strings, and parameters we do not know are ignored (caches, tracking)."""

    model_config = ConfigDict(strict=True, extra="ignore", populate_by_name=True)


def one_of(values: Callable[[], object]) -> Callable[[dict], None]:
    """A json_schema_extra naming the allowed values, read only when the document is built.

    The values are rules of the operations (which checks them and answers with their own codes), so
    validation stays a type check and importing the schemas pulls in no models.
    """
    def extra(schema: dict) -> None:
        schema["enum"] = list(values())

    return extra
