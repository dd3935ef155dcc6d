"""The one explicit registry of what runs after a commit.

Handlers are plain functions registered under a stable name (the name is what an outbox row
stores). Events are named topics ("bookings.confirmed"); an app that must react subscribes a
handler to a topic in its `AppConfig.ready()`. Publishing an event writes one outbox row per
subscriber in the caller's transaction. No Django signals: the list of who reacts to what is
here, and `subscribers(topic)` shows it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Handler:
    name: str
    function: Callable[..., object]
    # Deferred handlers (those that call Stripe) are never run inline in the committing
    # thread in eager mode: the sweep (or a worker) runs them.
    deferred: bool = False


_handlers: dict[str, Handler] = {}
_subscribers: dict[str, list[str]] = {}


class UnknownHandler(LookupError):
    pass


def register(name: str, function: Callable[..., object], *, deferred: bool = False) -> Handler:
    """Register (or re-register, e.g. on a second `ready()`) a handler under `name`."""
    handler = Handler(name=name, function=function, deferred=deferred)
    _handlers[name] = handler
    return handler


def subscribe(
    topic: str, *, name: str, function: Callable[..., object], deferred: bool = False
) -> None:
    """`function(**payload)` runs after commit, once per published `topic`."""
    register(name, function, deferred=deferred)
    names = _subscribers.setdefault(topic, [])
    if name not in names:
        names.append(name)


def subscribers(topic: str) -> list[str]:
    return list(_subscribers.get(topic, ()))


def resolve(name: str) -> Handler:
    """A registered handler, or a Celery task by its name (its function is called as is)."""
    if name in _handlers:
        return _handlers[name]
    from celery import current_app

    task = current_app.tasks.get(name)
    if task is None:  # the apps' tasks modules are imported lazily (autodiscovery)
        current_app.loader.import_default_modules()
        task = current_app.tasks.get(name)
    if task is None:
        raise UnknownHandler(name)
    return Handler(name=name, function=task.run, deferred=bool(getattr(task, "deferred", False)))
