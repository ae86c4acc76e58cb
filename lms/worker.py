"""The Celery application: ``celery -A lms.worker worker`` and ``celery -A lms.worker beat``.

Tasks call the same functions as the embedded runner: one Celery task per registered
job kind (``lms.media.transcode``) and one, ``lms.periodic``, that runs a periodic task by
name. Crash safety comes from the job leases in the database, not from the broker: the
sweeper (a periodic task) requeues a job whose worker died, long before Celery's own
redelivery would.
"""

from celery import Celery, signals

from lms import create_app
from lms.config import ConfigurationError
from lms.startup_errors import COULD_NOT_RUN, exit_on_configuration_error, require_database
from lms.tasks.jobs import PERIODIC_TASK, JobKind, job_kinds, new_worker_id
from lms.tasks.periodic import registered_tasks, run_periodic_task

# A wrong setting prints one line ("error: ...") and exits 2 instead of a traceback.
with exit_on_configuration_error(COULD_NOT_RUN):
    flask_app = create_app()
    broker_url = flask_app.config["LMS_BROKER_URL"]
    if not broker_url:
        raise ConfigurationError(
            "LMS_BROKER_URL is not set: Celery workers and beat need the broker, e.g. "
            "redis://[:password@]host:6379/1, the same on every node"
        )

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


@signals.worker_init.connect
def check_database(**_):
    """A worker (not beat, not `celery inspect`) checks once that the database answers."""
    with exit_on_configuration_error(COULD_NOT_RUN):
        require_database(flask_app.config["SQLALCHEMY_DATABASE_URI"])


def _define_job_task(kind: JobKind) -> None:
    @celery.task(name=kind.celery_task)
    def run_job(job_id: int):
        with flask_app.app_context():
            return kind.run(job_id, new_worker_id())


for _kind in job_kinds():  # the domains registered theirs in create_app()
    _define_job_task(_kind)


@celery.task(name=PERIODIC_TASK)
def periodic(name: str):
    with flask_app.app_context():
        run_periodic_task(name)
