"""Sign-in and password-reset throttling: counted in a cache every worker shares, per client
address and per (address, account), and never a way for a stranger to lock the owner out."""

import uuid

import pytest
import redis
from django.core import mail
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"  # tests.factories.UserFactory's
REDIS_URL = "redis://127.0.0.1:6379/2"
STRANGER, OWNER_ADDRESS = "203.0.113.7", "198.51.100.20"


def _login(client, email, password, address):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=address
    )


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _locked(response) -> bool:
    return response.status_code == 429 or (
        response.status_code == 200
        and any("too_many" in e.code for e in response.context["form"].errors.as_data()["__all__"])
    )


def test_a_stranger_locks_out_only_themselves(client, owner):
    for _ in range(5):
        assert not _signed_in(client)
        _login(client, owner.email, "wrong", STRANGER)
    refused = _login(client, owner.email, PASSWORD, STRANGER)
    assert _locked(refused) and not _signed_in(client)

    response = _login(client, owner.email, PASSWORD, OWNER_ADDRESS)
    assert response.status_code == 302 and _signed_in(client)


def test_one_address_cannot_spray_many_accounts(client, django_user_model):
    from tests.factories import UserFactory

    users = [UserFactory() for _ in range(11)]
    for user in users[:10]:
        _login(client, user.email, "wrong", STRANGER)
    assert _locked(_login(client, users[10].email, PASSWORD, STRANGER))
    assert _login(client, users[10].email, PASSWORD, OWNER_ADDRESS).status_code == 302


def test_guessing_from_many_addresses_stops_the_password_but_not_the_emailed_code(client, owner):
    for i in range(30):
        _login(client, owner.email, "wrong", f"192.0.2.{i + 1}")
    refused = _login(client, owner.email, PASSWORD, OWNER_ADDRESS)
    assert not _signed_in(client)
    assert "code" in str(refused.context["form"].errors)
    mail.outbox.clear()
    response = client.post(
        reverse("account_request_login_code"), {"email": owner.email}, REMOTE_ADDR=OWNER_ADDRESS
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1


def test_password_reset_is_throttled_per_address(client, owner):
    answers = [
        client.post(
            reverse("account_reset_password"), {"email": f"x{i}@example.com"}, REMOTE_ADDR=STRANGER
        ).status_code
        for i in range(6)
    ]
    assert answers[:5] == [302] * 5
    assert answers[5] == 429
    other = client.post(
        reverse("account_reset_password"), {"email": owner.email}, REMOTE_ADDR=OWNER_ADDRESS
    )
    assert other.status_code == 302


def _worker(cache_backend: dict):
    """The cache a worker process would have: override_settings rebuilds the cache objects,
    so every call is a fresh connection (Redis) or a fresh process memory (LocMem)."""
    return override_settings(CACHES={"default": cache_backend})


def _fails_until_locked(client, email, workers) -> int:
    """Wrong passwords, alternating between the workers, until one refuses the attempt."""
    for attempt in range(1, 30):
        with workers[attempt % len(workers)]:
            response = _login(client, email, "wrong", STRANGER)
            if _locked(response):
                return attempt - 1
    return 30


def test_without_a_shared_cache_each_worker_counts_alone(client, owner):
    memory = "django.core.cache.backends.locmem.LocMemCache"
    workers = [
        _worker({"BACKEND": memory, "LOCATION": f"worker-{name}-{uuid.uuid4()}"})
        for name in ("a", "b")
    ]
    assert _fails_until_locked(client, owner.email, workers) == 10


def test_with_redis_two_workers_share_the_count(client, owner):
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    shared = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": f"test-throttle-{uuid.uuid4()}",
    }
    workers = [_worker(shared), _worker(dict(shared))]
    assert _fails_until_locked(client, owner.email, workers) == 5
    with workers[0]:
        assert _login(client, owner.email, PASSWORD, OWNER_ADDRESS).status_code == 302
