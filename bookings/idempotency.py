"""`Idempotency-Key` on POST endpoints: the same key (per caller) replays the first response;
the same key with a different request is refused.

The key is taken with a lease (IDEMPOTENCY_LEASE_SECONDS) in a transaction of its own, so
that a concurrent retry sees it (409 while it runs). The request then runs in one
transaction that also stores its response: the key has a response if and only if the work
committed. A request that fails leaves nothing and frees the key; a worker killed mid-request
leaves a key whose lease runs out, and the next retry takes the request over. Storing the
response is conditional on still holding the lease, so a request that outlived its lease
and was taken over rolls back instead of doing the work twice."""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import status
from rest_framework.response import Response

from accounts.models import ApiKey

from .models import IdempotencyRecord

HEADER = "Idempotency-Key"


def _owner(request) -> str:
    if isinstance(request.auth, ApiKey):
        return f"org:{request.auth.organisation_id}"
    return f"user:{request.user.pk}"


def _error(code, message, http_status, **headers):
    response = Response(
        {"error": {"code": code, "message": message, "field": None}}, status=http_status
    )
    for name, value in headers.items():
        response[name] = value
    return response


def _lease() -> timedelta:
    return timedelta(seconds=getattr(settings, "IDEMPOTENCY_LEASE_SECONDS", 60))


def _replay(record: IdempotencyRecord) -> Response:
    response = Response(record.response_body, status=record.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def _in_progress(record: IdempotencyRecord) -> Response:
    seconds = 1
    if record.leased_until:
        seconds = max(int((record.leased_until - timezone.now()).total_seconds()) + 1, 1)
    return _error(
        "request_in_progress",
        "A request with this Idempotency-Key is still in progress.",
        status.HTTP_409_CONFLICT,
        **{"Retry-After": str(seconds)},
    )


class _Superseded(Exception):
    """The lease ran out and another request took the key over: undo this one."""


class _ServerError(Exception):
    """A 5xx response: undo what the request did and free the key."""

    def __init__(self, response):
        self.response = response


def _take(*, owner: str, key: str, request, digest: str):
    """(record, None) when this request now owns the key, else (None, response to send)."""
    now = timezone.now()
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                owner=owner,
                key=key,
                method=request.method,
                path=request.path[:300],
                request_hash=digest,
                leased_until=now + _lease(),
            )
        return record, None
    except IntegrityError:
        pass
    record = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
    if record is None:  # freed between our insert and this read: let the caller retry
        return None, _in_progress(IdempotencyRecord(leased_until=now))
    if record.request_hash != digest:
        return None, _error(
            "idempotency_key_reused",
            "This Idempotency-Key was used for a different request.",
            status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    if record.status_code is not None:
        return None, _replay(record)
    if record.leased_until and record.leased_until > now:
        return None, _in_progress(record)
    # The request that took the key died (its lease is over, nothing was stored): take over.
    taken = IdempotencyRecord.objects.filter(
        pk=record.pk, status_code__isnull=True, leased_until=record.leased_until
    ).update(leased_until=now + _lease())
    if not taken:
        record.refresh_from_db()
        return None, _replay(record) if record.status_code is not None else _in_progress(record)
    record.refresh_from_db()
    return record, None


def _free(record: IdempotencyRecord) -> None:
    IdempotencyRecord.objects.filter(
        pk=record.pk, status_code__isnull=True, leased_until=record.leased_until
    ).delete()


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
        record, refusal = _take(owner=_owner(request), key=key, request=request, digest=digest)
        if refusal is not None:
            return refusal
        try:
            with transaction.atomic():
                response = view_method(self, request, *args, **kwargs)
                if response.status_code >= 500:
                    raise _ServerError(response)
                stored = IdempotencyRecord.objects.filter(
                    pk=record.pk, status_code__isnull=True, leased_until=record.leased_until
                ).update(
                    status_code=response.status_code,
                    response_body=response.data,
                    leased_until=None,
                )
                if not stored:
                    raise _Superseded
        except _ServerError as failed:
            _free(record)
            return failed.response
        except _Superseded:
            record.refresh_from_db()
            return _replay(record) if record.status_code is not None else _in_progress(record)
        except Exception:
            _free(record)  # nothing was done: the key may be retried at once
            raise
        return response

    return wrapper
