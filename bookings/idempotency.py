"""`Idempotency-Key` on POST endpoints: the same key (per caller) replays the first response;
the same key with a different request is refused."""

from __future__ import annotations

import functools
import hashlib
import json

from django.db import IntegrityError, transaction
from rest_framework import status
from rest_framework.response import Response

from accounts.models import ApiKey

from .models import IdempotencyRecord

HEADER = "Idempotency-Key"


def _owner(request) -> str:
    if isinstance(request.auth, ApiKey):
        return f"org:{request.auth.organisation_id}"
    return f"user:{request.user.pk}"


def _error(code, message, http_status):
    return Response(
        {"error": {"code": code, "message": message, "field": None}}, status=http_status
    )


def idempotent(view_method):
    """Wrap a DRF view method (POST). Without the header the call runs as usual."""

    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if not key:
            return view_method(self, request, *args, **kwargs)
        if len(key) > 200:
            return _error(
                "invalid_idempotency_key",
                "The Idempotency-Key is too long.",
                status.HTTP_400_BAD_REQUEST,
            )
        body = json.dumps(request.data, sort_keys=True, default=str)
        digest = hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()
        owner = _owner(request)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    owner=owner,
                    key=key,
                    method=request.method,
                    path=request.path[:300],
                    request_hash=digest,
                )
        except IntegrityError:
            record = IdempotencyRecord.objects.get(owner=owner, key=key)
            if record.request_hash != digest:
                return _error(
                    "idempotency_key_reused",
                    "This Idempotency-Key was used for a different request.",
                    status.HTTP_422_UNPROCESSABLE_ENTITY,
                )
            if record.status_code is None:
                return _error(
                    "request_in_progress",
                    "A request with this Idempotency-Key is still in progress.",
                    status.HTTP_409_CONFLICT,
                )
            response = Response(record.response_body, status=record.status_code)
            response["Idempotent-Replayed"] = "true"
            return response
        try:
            response = view_method(self, request, *args, **kwargs)
        except Exception:
            record.delete()  # nothing was done: the key may be retried
            raise
        if response.status_code >= 500:
            record.delete()
        else:
            record.status_code = response.status_code
            record.response_body = response.data
            record.save(update_fields=["status_code", "response_body"])
        return response

    return wrapper
