"""Point the app's Celery at another broker for a test, then back (eager again)."""

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time


def _reset_pools(app) -> None:
    """Forget the connection and producer pools (kombu keeps them in a registry per URL)."""
    from kombu import pools

    with contextlib.suppress(Exception):
        pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def celery_broker(url: str):
    from marketplace.celery import app

    previous = (app.conf.task_always_eager, app.conf.broker_url)
    # Celery reads CELERY_BROKER_URL from the environment before its configuration (CI sets
    # it to the machine's Redis), so the variable is pointed at this broker too.
    previous_env = os.environ.get("CELERY_BROKER_URL")
    _reset_pools(app)
    app.conf.task_always_eager = False
    app.conf.broker_url = url
    os.environ["CELERY_BROKER_URL"] = url
    try:
        yield app
    finally:
        _reset_pools(app)
        app.conf.task_always_eager, app.conf.broker_url = previous
        if previous_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = previous_env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own on a free port (the machine's Redis is shared)."""

    def __init__(self):
        self.binary = shutil.which("redis-server")
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="faults-redis-")
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn,
            ):
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def queued(self) -> int:
        """How many messages wait in the default queue."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as conn:
            conn.sendall(b"LLEN celery\r\n")
            return int(conn.recv(64).strip().lstrip(b":"))
