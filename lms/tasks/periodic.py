"""The registry of periodic tasks: run by the embedded worker's loop, or by celery beat.

Any domain registers its own with ``@periodic_task("name", every=seconds)``; a task is a
plain function run inside an app context, committing its own work, and must be safe
to run twice (two embedded workers may both run it).
"""

from collections.abc import Callable
from dataclasses import dataclass

from lms.extensions import db


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    every: float  # seconds
    run: Callable[[], object]


_registry: dict[str, PeriodicTask] = {}


def periodic_task(name: str, *, every: float):
    def decorator(fn):
        _registry[name] = PeriodicTask(name, every, fn)
        return fn

    return decorator


def registered_tasks() -> list[PeriodicTask]:
    return sorted(_registry.values(), key=lambda task: task.name)


def run_periodic_task(name: str):
    """Run one task by name (what the celery beat entry calls)."""
    task = _registry[name]
    try:
        result = task.run()
        db.session.commit()
        return result
    except Exception:
        db.session.rollback()
        raise


class PeriodicSchedule:
    """Which tasks are due, for a loop that wakes up now and then (the embedded worker)."""

    def __init__(self, now: float):
        self.next_run = {task.name: now for task in registered_tasks()}

    def due(self, now: float) -> list[str]:
        names = [name for name, when in self.next_run.items() if when <= now]
        for name in names:
            self.next_run[name] = now + _registry[name].every
        return names

    def seconds_until_next(self, now: float) -> float:
        return max(0.0, min(self.next_run.values(), default=now + 60) - now)
