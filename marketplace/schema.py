"""What drf-spectacular cannot infer, added to the generated OpenAPI schema in one place: the
error responses every endpoint can give, in the one error format of marketplace/api.py, and
local times as they are written ("10:30:00", not an RFC 3339 time with an offset)."""

LOCAL_TIME_PATTERN = r"^\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$"

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "field"],
            "properties": {
                "code": {
                    "type": "string",
                    "description": "Machine code, never translated: invalid, required, "
                    "max_value, not_found, sold_out, busy, payment_required, "
                    "idempotency_key_reused, throttled, nul_character, ...",
                },
                "message": {"type": "string", "description": "In the caller's language."},
                "field": {
                    "type": ["string", "null"],
                    "description": "The offending field (dotted path), if any.",
                },
                "errors": {
                    "type": "array",
                    "description": "Every error, when there is more than one.",
                    "items": {
                        "type": "object",
                        "properties": {
                            "code": {"type": "string"},
                            "message": {"type": "string"},
                            "field": {"type": ["string", "null"]},
                        },
                    },
                },
            },
        }
    },
}

DESCRIPTIONS = {
    "400": "Invalid input: a parameter or field is missing, malformed or out of bounds.",
    "401": "No or invalid credentials (API key or session).",
    "402": "Payment required: the contract does not allow booking on account.",
    "403": "The caller may not do this (wrong kind of organisation or role).",
    "404": "Not found, or not visible to the caller's organisation.",
    "409": "Conflict: sold out, busy (try again), or the state forbids the action.",
    "422": "The Idempotency-Key was used before with a different request.",
    "429": "Too many requests: retry after the Retry-After header's seconds.",
}
_WRITES = {"post", "put", "patch", "delete"}


def _error_codes(path: str, method: str, operation: dict) -> list[str]:
    codes = ["400", "401", "403", "429"]
    if "{" in path:
        codes.append("404")
    if method in _WRITES or path.endswith("/voucher/"):
        codes.append("409")
    if path.endswith("/confirm/"):
        codes.append("402")
    if any(p.get("name") == "Idempotency-Key" for p in operation.get("parameters", [])):
        codes.append("422")
    return sorted(codes)


def _local_times(node):
    if isinstance(node, dict):
        if node.get("format") == "time":
            node.pop("format")
            node["pattern"] = LOCAL_TIME_PATTERN
            node.setdefault("example", "10:30:00")
        for value in node.values():
            _local_times(value)
    elif isinstance(node, list):
        for value in node:
            _local_times(value)


def postprocess(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code in _error_codes(path, method, operation):
                operation["responses"].setdefault(
                    code, {"description": DESCRIPTIONS[code], "content": error}
                )
    _local_times(result)
    return result
