"""Serve the whole platform on the embedded defaults: the Django server plus a local
Stripe-compatible server (localstripe) as child processes, and the beat schedule in a thread
of this process (tasks are eager: no worker, no `celery beat`), stopped together on Ctrl-C."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time

import requests
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_localstripe(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CommandError("localstripe exited at start")
        try:
            requests.get(
                f"http://127.0.0.1:{port}/v1/customers",
                timeout=1,
                auth=(settings.STRIPE_SECRET_KEY, ""),
            )
            return process
        except requests.ConnectionError:
            time.sleep(0.2)
    process.terminate()
    raise CommandError("localstripe did not start within 20 seconds")


def _signal_group(child: subprocess.Popen, sig) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, sig)


def register_webhook(api_base: str, url: str, secret: str) -> None:
    response = requests.post(
        f"{api_base}/_config/webhooks/platform", data={"url": url, "secret": secret}, timeout=5
    )
    response.raise_for_status()


class Command(BaseCommand):
    help = "Run the platform with a local Stripe-compatible server (used by `make run`)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-seed", action="store_true")
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="Do not run the periodic jobs in-process (e.g. a `celery beat` runs them).",
        )

    def handle(self, *args, addr, port, no_seed, no_scheduler, **options):
        children: list[subprocess.Popen] = []
        beat = None

        def stop(*_args):
            if beat is not None:
                beat.stop()
            # Each child runs in its own process group (runserver's autoreloader has a child
            # of its own): stop whole groups so that nothing is left behind.
            for child in children:
                _signal_group(child, signal.SIGTERM)
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    _signal_group(child, signal.SIGKILL)

        # Ctrl-C raises KeyboardInterrupt even where the shell started us ignoring SIGINT.
        signal.signal(signal.SIGINT, signal.default_int_handler)

        try:
            env = os.environ.copy()
            if settings.STRIPE_API_BASE:
                api_base = settings.STRIPE_API_BASE
                self.stdout.write(f"Using the Stripe API at {api_base}")
            else:
                stripe_port = free_port()
                children.append(start_localstripe(stripe_port))
                api_base = f"http://127.0.0.1:{stripe_port}"
                register_webhook(
                    api_base,
                    f"http://{addr}:{port}/payments/stripe/webhook",
                    settings.STRIPE_WEBHOOK_SECRET,
                )
                env["STRIPE_API_BASE"] = api_base
                self.stdout.write(f"localstripe listening on {api_base} (webhook registered)")
            if not no_seed:
                call_command("seed_demo", stdout=self.stdout)
            server = subprocess.Popen(
                [sys.executable, "manage.py", "runserver", f"{addr}:{port}"],
                env=env,
                start_new_session=True,
            )
            children.append(server)
            beat = self.start_scheduler(env, disabled=no_scheduler)
            signal.signal(signal.SIGTERM, lambda *_: (stop(), sys.exit(0)))
            self.stdout.write(
                self.style.SUCCESS(
                    f"Discover Piana di Lucca on http://{addr}:{port}/  (Ctrl-C stops everything)"
                )
            )
            server.wait()
        except KeyboardInterrupt:
            self.stdout.write("Stopping…")
        finally:
            stop()

    def start_scheduler(self, env: dict, *, disabled: bool):
        """The periodic jobs of CELERY_BEAT_SCHEDULE, when nothing else runs them."""
        from marketplace.scheduler import EmbeddedBeat

        if disabled or not settings.CELERY_TASK_ALWAYS_EAGER:
            self.stdout.write("Periodic jobs: not run here (start `celery -A marketplace beat`).")
            return None
        # The jobs call Stripe (intent cancellation, reconciliation): this process must use
        # the same Stripe server as the web server.
        settings.STRIPE_API_BASE = env.get("STRIPE_API_BASE", settings.STRIPE_API_BASE)
        beat = EmbeddedBeat(settings.CELERY_BEAT_SCHEDULE)
        beat.start()
        self.stdout.write(
            f"Periodic jobs run in-process: {', '.join(job.name for job in beat.jobs)}"
        )
        return beat
