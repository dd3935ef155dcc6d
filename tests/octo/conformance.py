"""Checks a response of our OCTO API against the OCTO OpenAPI document of @octocloud/types
(octo/spec/openapi.yaml): the operation's 200 schema, or for an error the standard's schema of
that error code among the operation's error responses."""

from __future__ import annotations

import functools
import json
from datetime import datetime
from pathlib import Path

import jsonschema
import yaml

SPEC_PATH = Path(__file__).resolve().parents[2] / "octo" / "spec" / "openapi.yaml"

ERROR_SCHEMAS = {
    "INVALID_PRODUCT_ID": "ErrorInvalidProductID",
    "INVALID_OPTION_ID": "ErrorInvalidOptionID",
    "INVALID_UNIT_ID": "ErrorInvalidUnitID",
    "INVALID_AVAILABILITY_ID": "ErrorInvalidAvailabilityID",
    "INVALID_BOOKING_UUID": "ErrorInvalidBookingUUID",
    "BAD_REQUEST": "ErrorBadRequest",
    "UNAUTHORIZED": "ErrorUnauthorized",
    "FORBIDDEN": "ErrorForbidden",
    "UNPROCESSABLE_ENTITY": "ErrorUnprocessableEntity",
    "INTERNAL_SERVER_ERROR": "ErrorInternalServerError",
}
# The HTTP status of each error code (the OCTO documentation's table; the document itself
# lists every error under "400").
ERROR_STATUS = dict.fromkeys(ERROR_SCHEMAS, 400) | {
    "UNAUTHORIZED": 401,
    "FORBIDDEN": 403,
    "INTERNAL_SERVER_ERROR": 500,
}


def _json_schema(node):
    """OpenAPI 3.0 schema -> JSON Schema: `nullable: true` becomes an explicit null branch."""
    if isinstance(node, list):
        return [_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    converted = {
        k: _json_schema(v)
        for k, v in node.items()
        if k not in ("nullable", "example", "examples") and not k.startswith("x-")
    }
    if node.get("nullable"):
        return {"anyOf": [{"type": "null"}, converted]}
    return converted


@functools.cache
def spec() -> dict:
    return yaml.safe_load(SPEC_PATH.read_text())


@functools.cache
def _components() -> dict:
    return _json_schema(spec()["components"])


_formats = jsonschema.FormatChecker()


@_formats.checks("date-time", raises=ValueError)
def _date_time(value):
    if not isinstance(value, str):
        return True
    if "T" not in value or not (value.endswith("Z") or value[-6] in "+-"):
        raise ValueError(value)
    datetime.fromisoformat(value)
    return True


def _validate(instance, schema):
    root = {**schema, "components": _components()}
    validator = jsonschema.Draft4Validator(root, format_checker=_formats)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    if errors:
        shown = "\n".join(
            f"- at {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:300]}"
            for e in errors[:10]
        )
        raise AssertionError(f"response does not conform to the OCTO document:\n{shown}")


def _operation(path: str, method: str) -> dict:
    paths = spec()["paths"]
    for candidate in (path, path.rstrip("/") + "/", path.rstrip("/")):
        if candidate in paths and method.lower() in paths[candidate]:
            return paths[candidate][method.lower()]
    raise KeyError(f"{method} {path} is not an operation of the OCTO document")


def assert_conforms(response, path: str, method: str) -> dict | list:
    """`path` is the document's template ("/bookings/{uuid}/confirm"). Returns the body."""
    body = json.loads(response.content)
    operation = _operation(path, method)
    if response.status_code == 200:
        schema = _json_schema(operation["responses"]["200"]["content"]["application/json"])[
            "schema"
        ]
        _validate(body, schema)
        return body
    assert isinstance(body, dict) and "error" in body, body
    code = body["error"]
    assert code in ERROR_SCHEMAS, f"{code} is not an error code of the standard"
    assert response.status_code == ERROR_STATUS[code], (code, response.status_code)
    listed = operation["responses"]["400"]["content"]["application/json"]["schema"]["anyOf"]
    names = {ref["$ref"].rsplit("/", 1)[1] for ref in listed}
    # BAD_REQUEST and UNPROCESSABLE_ENTITY are answers any operation may give to bad input.
    if code not in ("BAD_REQUEST", "UNPROCESSABLE_ENTITY"):
        assert ERROR_SCHEMAS[code] in names, f"{code} is not an error of {method} {path}"
    _validate(body, {"$ref": f"#/components/schemas/{ERROR_SCHEMAS[code]}"})
    # The standard's error schemas nest their required fields under allOf: check them here.
    required = spec()["components"]["schemas"][ERROR_SCHEMAS[code]].get("required", [])
    for name in ["error", "errorMessage", *required]:
        assert isinstance(body.get(name), str), f"{code} needs {name!r}: {body}"
    return body
