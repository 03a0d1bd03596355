"""pydantic's validation errors as the contract's error codes and messages, in one place.

The API answers them as 400 `{"error": {code, message}}`; the relay as `error` frames.
"""
from __future__ import annotations

from pydantic import BaseModel, ValidationError

#: What a wrong JSON type should have been, by pydantic's error type.
EXPECTED = {"string_type": "a string", "int_type": "an integer", "list_type": "a list", "dict_type": "an object",
            "bool_type": "true or false", "model_type": "an object"}
#: Said before any other problem, as the hand-written checks did: unknown fields, then missing ones.
FIRST = ("extra_forbidden", "missing")


def _field(error: dict) -> str:
    return ".".join(str(part) for part in error["loc"] if not isinstance(part, int))


def _code(error: dict) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown_field"
    if kind == "missing":
        return "missing_field"
    if kind in EXPECTED or kind.endswith("_type"):
        return "invalid_type"
    if kind == "literal_error":
        return "invalid_choice"
    return kind  # our own errors (webapp/schemas/fields.py) are named by their code


def _message(error: dict, code: str, model: type[BaseModel], errors: list[dict]) -> str:
    same = [_field(e) for e in errors if e["type"] == error["type"]]
    if code == "unknown_field":
        allowed = ", ".join(info.alias or name for name, info in model.model_fields.items())
        return f"Unknown field(s): {', '.join(sorted(same))}. Allowed: {allowed}."
    if code == "missing_field":
        return f"Missing field(s): {', '.join(same)}."
    field = _field(error)
    if error["type"] in EXPECTED:
        return f"{field} must be {EXPECTED[error['type']]}."
    if error["type"] == "literal_error":
        return f"{field} must be {error['ctx']['expected']}."
    return f"{field} {error['msg']}" if field else error["msg"]


def first_problem(err: ValidationError, model: type[BaseModel]) -> tuple[str, str]:
    """(code, message) of the problem the caller should fix first.

    A model may name, in `error_codes`, the code a wrong or missing field of it answers instead
    (the check-in's `avatar` is `invalid_avatar` either way).
    """
    errors = err.errors(include_url=False)
    error = min(errors, key=lambda e: FIRST.index(e["type"]) if e["type"] in FIRST else len(FIRST))
    code = _code(error)
    message = _message(error, code, model, errors)
    if code in ("invalid_type", "missing_field", "invalid_choice"):
        code = getattr(model, "error_codes", {}).get(_field(error).split(".")[0], code)
    return code, message



#: How the relay names what a frame's field should have been, by JSON Schema type.
FRAME_WANTS = {"integer": "a number", "string": "text", "object": "an object"}


def frame_problem(err: ValidationError, model: type[BaseModel]) -> tuple[str, str]:
    """(code, message) for a relay frame: `bad_frame` naming the field, or the field's own code (`too_long`)."""
    error = err.errors(include_url=False)[0]
    name = next((str(part) for part in reversed(error["loc"]) if isinstance(part, str)), "type")
    code = _code(error)
    if code == "invalid_text":
        return "bad_frame", error["msg"]
    if code not in ("invalid_type", "missing_field", "invalid_choice"):
        return code, f"{name} {error['msg']}"
    schema = model.model_json_schema()
    field = schema["properties"].get(name, {})
    kinds = [field.get("type"), *(option.get("type") for option in field.get("anyOf", []))]
    wanted = next((FRAME_WANTS[kind] for kind in kinds if kind in FRAME_WANTS), "valid")
    optional = name not in schema.get("required", ())
    return "bad_frame", f'"{name}" must be {wanted}{" or absent" if optional else ""}.'
