"""``flask lms import-video``, ``flask lms transcode`` and ``flask lms worker``."""

import signal
from pathlib import Path

import click
from flask import current_app

from lms.cli import lms_command
from lms.extensions import db
from lms.media import services
from lms.media.jobs import run_transcode_job
from lms.media.models import VideoAsset
from lms.tasks.jobs import new_worker_id
from lms.tasks.runners import EmbeddedRunner


@lms_command("import-video")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_video(file: Path) -> None:
    """Create a video asset from FILE and queue its transcode."""
    asset = services.create_asset_from_file(file, actor=None)
    db.session.commit()
    click.echo(f"asset {asset.id} queued ({asset.public_id})")


@lms_command("transcode")
@click.argument("asset_id", type=int)
@click.option("--now", is_flag=True, help="Run it here in the foreground instead of queueing.")
def transcode_asset(asset_id: int, now: bool) -> None:
    """Queue ASSET_ID's transcode again (or run it now)."""
    asset = db.session.get(VideoAsset, asset_id)
    if asset is None:
        raise click.BadParameter(f"no asset {asset_id}", param_hint="ASSET_ID")
    job = services.queue_transcode(asset)
    db.session.commit()
    if not now:
        click.echo(f"asset {asset.id} queued (job {job.id})")
        return
    status = run_transcode_job(job.id, new_worker_id())
    db.session.refresh(asset)
    if status is None:
        raise click.ClickException(f"job {job.id} is being run by another worker")
    if asset.status != "ready":
        message = services.asset_status(asset)["failure"] or asset.status
        raise click.ClickException(f"asset {asset.id} {asset.status}: {message}")
    click.echo(f"asset {asset.id} ready")


@lms_command("worker")
def worker() -> None:
    """Run the embedded job worker and the periodic tasks in this process."""
    runner = EmbeddedRunner(current_app._get_current_object())
    signal.signal(signal.SIGTERM, lambda *_: runner.stop())
    click.echo(f"worker {runner.worker_id} started; Ctrl+C stops it")
    try:
        runner.run_forever()
    except KeyboardInterrupt:
        runner.stop()
