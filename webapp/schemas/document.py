"""The models as OpenAPI 3.0 schemas and parameters (pydantic writes JSON Schema 2020-12).

OpenAPI 3.0 has no `"type": "null"`, no `const` and no `examples` list in a schema; these are
rewritten to `nullable`, `enum` and `example`. Nothing here knows a particular model.
"""
from __future__ import annotations

from pydantic import BaseModel

REF_TEMPLATE = "#/components/schemas/{model}"
_NULL = {"type": "null"}


def openapi30(schema):
    """One JSON Schema (and everything inside it) in OpenAPI 3.0's dialect."""
    if isinstance(schema, list):
        return [openapi30(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    schema = {key: openapi30(value) for key, value in schema.items() if key != "title"}
    if _NULL in schema.get("anyOf", ()):
        others = [option for option in schema.pop("anyOf") if option != _NULL]
        base = others[0] if len(others) == 1 else {"anyOf": others}
        if "$ref" in base:  # siblings of $ref are ignored in 3.0
            base = {"allOf": [base]}
        schema = {**base, **schema, "nullable": True}
    if "const" in schema:
        schema["enum"] = [schema.pop("const")]
    if "examples" in schema:
        schema["example"] = schema.pop("examples")[0]
    if schema.get("default", ...) is None and not schema.get("nullable"):
        del schema["default"]
    return schema


def components(*models: type[BaseModel]) -> dict:
    """`components.schemas` entries for these models and every model they use."""
    found = {}
    for model in models:
        schema = model.model_json_schema(ref_template=REF_TEMPLATE)
        found.update(schema.pop("$defs", {}))
        found[model.__name__] = schema
    return {name: openapi30(schema) for name, schema in found.items()}


def query_parameters(model: type[BaseModel]) -> list[dict]:
    """The query parameters a model reads, by their names on the wire."""
    schema = model.model_json_schema(by_alias=True, ref_template=REF_TEMPLATE)
    required = set(schema.get("required", ()))
    parameters = []
    for name, field in schema["properties"].items():
        field = openapi30(field)
        field.pop("default", None), field.pop("nullable", None)  # a query string is never null
        parameter = {"name": name, "in": "query", "required": name in required}
        if "description" in field:
            parameter["description"] = field.pop("description")
        parameters.append({**parameter, "schema": field})
    return parameters
