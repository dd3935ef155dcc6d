"""The beat schedule run in-process, for the embedded default (`make run`: memory broker,
eager tasks, no worker and no `celery beat`). `runplatform` starts it in a thread; with a
real broker, `celery beat` and the workers do this instead.

Each job of CELERY_BEAT_SCHEDULE runs on its own schedule: interval jobs (expired holds,
outbox sweep) at start and then every interval, crontab jobs at their next time. A job that
fails is logged and runs again at its next time."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery.schedules import BaseSchedule, crontab, schedule
from django.db import close_old_connections
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass
class Job:
    name: str
    task: str
    schedule: BaseSchedule
    args: tuple
    kwargs: dict
    next_at: datetime


def _as_schedule(value) -> BaseSchedule:
    if isinstance(value, BaseSchedule):
        return value
    if isinstance(value, timedelta):
        return schedule(value)
    return schedule(timedelta(seconds=float(value)))


def _next_after(sched: BaseSchedule, moment: datetime) -> datetime:
    """The first time after `moment` the schedule fires."""
    if isinstance(sched, crontab):
        start, delta, _now = sched.remaining_delta(moment)
        following = start + delta
    else:
        following = moment + sched.run_every
    return max(following, moment + timedelta(seconds=1))


class EmbeddedBeat:
    def __init__(self, beat_schedule: dict, *, start: datetime | None = None):
        from celery import current_app

        current_app.loader.import_default_modules()  # the apps' tasks (autodiscovery)
        start = start or timezone.now()
        self.jobs: list[Job] = []
        for name, entry in beat_schedule.items():
            sched = _as_schedule(entry["schedule"])
            first = _next_after(sched, start) if isinstance(sched, crontab) else start
            self.jobs.append(
                Job(
                    name=name,
                    task=entry["task"],
                    schedule=sched,
                    args=tuple(entry.get("args", ())),
                    kwargs=dict(entry.get("kwargs", {})),
                    next_at=first,
                )
            )
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self, now: datetime | None = None) -> list[str]:
        """Run the jobs that are due at `now`; return their names."""
        from celery import current_app

        now = now or timezone.now()
        ran = []
        for job in self.jobs:
            if job.next_at > now:
                continue
            try:
                current_app.tasks[job.task].apply(args=job.args, kwargs=job.kwargs).get(
                    propagate=True
                )
            except Exception:
                logger.exception("scheduled job %s failed", job.name)
            job.next_at = _next_after(job.schedule, now)
            ran.append(job.name)
        return ran

    def seconds_to_next(self, now: datetime | None = None) -> float:
        now = now or timezone.now()
        soonest = min((job.next_at for job in self.jobs), default=now + timedelta(seconds=30))
        return min(max((soonest - now).total_seconds(), 1.0), 30.0)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # the scheduler itself never dies
                logger.exception("embedded scheduler tick failed")
            finally:
                close_old_connections()  # this thread's connection, as a request's
            self._stop.wait(self.seconds_to_next())

    def start(self) -> threading.Thread:
        self._thread = threading.Thread(target=self._loop, name="embedded-beat", daemon=True)
        self._thread.start()
        return self._thread

    def stop(self, timeout: float = 30) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
