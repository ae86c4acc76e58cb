"""The Celery application: ``celery -A lms.worker worker`` and ``celery -A lms.worker beat``.

Tasks call the same functions as the embedded runner. Crash safety comes from the job
leases in the database, not from the broker: the sweeper (a periodic task) requeues a
job whose worker died, long before Celery's own redelivery would.
"""

from celery import Celery

from lms import create_app
from lms.media.jobs import run_transcode_job
from lms.media.periodic import registered_tasks, run_periodic_task
from lms.media.runners import PERIODIC_TASK, TRANSCODE_TASK, new_worker_id

flask_app = create_app()
broker_url = flask_app.config["LMS_BROKER_URL"]
if not broker_url:
    raise RuntimeError("LMS_BROKER_URL must be set to run Celery workers")

celery = Celery("lms", broker=broker_url)
celery.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
    task_ignore_result=True,
    beat_schedule={
        task.name: {"task": PERIODIC_TASK, "schedule": task.every, "args": [task.name]}
        for task in registered_tasks()
    },
)
app = celery


@celery.task(name=TRANSCODE_TASK)
def transcode_task(job_id: int) -> str | None:
    with flask_app.app_context():
        return run_transcode_job(job_id, new_worker_id())


@celery.task(name=PERIODIC_TASK)
def periodic(name: str):
    with flask_app.app_context():
        run_periodic_task(name)
