"""A real localstripe process for the payments tests: started once per session on a free
port, flushed before each test that uses it. Nothing in the stripe library is mocked."""

import socket
import subprocess
import sys
import time

import pytest
import requests

DEAD_URL = "http://127.0.0.1:9/nowhere"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe_base():
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            requests.get(f"{base}/v1/customers", auth=("sk_test_local", ""), timeout=1)
            break
        except requests.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("localstripe did not start") from None
            time.sleep(0.1)
    yield base
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def localstripe(localstripe_base, settings):
    """Point the app at the session's localstripe, with an empty store and no webhook
    delivery (tests that want deliveries register the live server)."""
    requests.delete(f"{localstripe_base}/_config/data", timeout=5).raise_for_status()
    requests.post(
        f"{localstripe_base}/_config/webhooks/tests",
        data={"url": DEAD_URL, "secret": settings.STRIPE_WEBHOOK_SECRET},
        timeout=5,
    ).raise_for_status()
    settings.STRIPE_API_BASE = localstripe_base
    return localstripe_base
