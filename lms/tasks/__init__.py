"""Background work for every domain: job runners and the periodic tasks.

This package sits below every domain and imports none of them. A domain with jobs keeps
them in a table of its own and registers a ``JobKind`` (``jobs.py``); the runners
(``runners.py``) hand those jobs out, in this process (embedded) or through Celery. A
domain's periodic tasks register with ``@periodic_task`` (``periodic.py``). Each job run
logs one line (``joblog.py``). ``init_tasks(app)`` is called once per app by the factory.
"""

from flask import Flask


def init_tasks(app: Flask) -> None:
    from lms.tasks.runners import init_runner

    init_runner(app)
