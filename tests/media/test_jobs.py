import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.media import services
from lms.media.jobs import (
    LeaseLost,
    _update_held,
    claim_job,
    requeue_expired_jobs,
    run_transcode_job,
)
from lms.media.models import TranscodeJob, VideoAsset
from lms.media.storage import get_storage
from lms.tasks.runners import EmbeddedRunner
from lms.timeutil import utcnow
from tests.helpers import wait_for


def import_clip(app, path, filename=None):
    with app.app_context():
        asset = services.create_asset_from_file(path, actor=None, filename=filename)
        db.session.commit()
        return asset.id, asset.jobs[0].id


def asset_state(app, asset_id):
    with app.app_context():
        asset = db.session.get(VideoAsset, asset_id)
        return asset.status, asset.failure_code, [j.status for j in asset.jobs]


def test_an_imported_clip_becomes_a_ready_hls_ladder(app, short_clip):
    asset_id, job_id = import_clip(app, short_clip)
    with app.app_context():
        assert run_transcode_job(job_id, "worker-a") == "done"
        asset = db.session.get(VideoAsset, asset_id)
        assert (asset.status, asset.percent) == ("ready", 100.0)
        assert asset.duration == pytest.approx(3.0, abs=0.2)
        assert asset.has_audio and (asset.width, asset.height) == (320, 240)
        keys = get_storage().list(asset.hls_prefix)
        assert f"{asset.hls_prefix}/master.m3u8" in keys
        assert f"{asset.hls_prefix}/poster.jpg" in keys
        assert any(key.endswith("audio/index.m3u8") for key in keys)


def test_the_embedded_thread_picks_up_queued_jobs(app, short_clip):
    runner = EmbeddedRunner(app, poll_seconds=0.2)
    app.extensions["lms_job_runner"] = runner
    runner.ensure_started()
    try:
        asset_id, _ = import_clip(app, short_clip)
        wait_for(lambda: asset_state(app, asset_id)[0] == "ready", message="asset ready")
    finally:
        runner.stop(timeout=30)


def test_a_text_file_named_mp4_fails_at_once_with_a_reason(app, tmp_path):
    fake = tmp_path / "lesson.mp4"
    fake.write_text("#EXTM3U\n#EXTINF:1,\nfile:///etc/passwd\n")
    asset_id, job_id = import_clip(app, fake)
    with app.app_context():
        assert run_transcode_job(job_id, "worker-a") == "failed"
        asset = db.session.get(VideoAsset, asset_id)
        status = services.asset_status(asset)
    assert status["status"] == "failed" and asset.failure_code == "not_media"
    assert "不是" in status["failure"]  # said in Chinese, without a traceback
    assert asset_state(app, asset_id)[2] == ["failed"]  # refused uploads are not retried


def test_a_failing_transcode_is_retried_then_fails_with_its_reason(app, short_clip):
    app.config["LMS_TRANSCODE_PRESET"] = "no-such-preset"  # ffmpeg itself refuses to run
    asset_id, job_id = import_clip(app, short_clip)
    with app.app_context():
        assert run_transcode_job(job_id, "worker-a") == "queued"
        assert run_transcode_job(job_id, "worker-b") == "queued"
        assert run_transcode_job(job_id, "worker-c") == "failed"
        job = db.session.get(TranscodeJob, job_id)
        assert job.attempts == 3 and "ffmpeg" in job.last_error
        assert run_transcode_job(job_id, "worker-d") is None  # nothing left to claim
        assert get_storage().list(job.asset.hls_prefix) == []  # nothing half-published
    assert asset_state(app, asset_id)[0] == "failed"


def test_a_job_is_leased_to_one_worker_at_a_time(app, short_clip):
    _, job_id = import_clip(app, short_clip)
    with app.app_context():
        assert claim_job(job_id, "worker-a")
        assert not claim_job(job_id, "worker-b")
        # worker-a's lease runs out (it died); worker-b takes the job over ...
        db.session.get(TranscodeJob, job_id).lease_expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert claim_job(job_id, "worker-b")
        # ... and worker-a, should it wake up, may no longer write.
        with pytest.raises(LeaseLost):
            _update_held(job_id, "worker-a", percent=50.0)
        _update_held(job_id, "worker-b", percent=50.0)


def test_the_sweeper_requeues_expired_leases_and_fails_exhausted_jobs(app, short_clip):
    first_asset, first_job = import_clip(app, short_clip)
    second_asset, second_job = import_clip(app, short_clip)
    with app.app_context():
        for job_id, attempts in ((first_job, 0), (second_job, 2)):
            job = db.session.get(TranscodeJob, job_id)
            job.attempts = attempts
            db.session.commit()
            assert claim_job(job_id, "dead-worker")
            job.lease_expires_at = utcnow() - timedelta(seconds=1)
            db.session.commit()
        assert requeue_expired_jobs() == [first_job]
        db.session.commit()
        assert run_transcode_job(first_job, "worker-b") == "done"
    assert asset_state(app, first_asset)[0] == "ready"
    assert asset_state(app, second_asset)[:2] == ("failed", "attempts_exhausted")


def test_a_finished_job_runs_twice_safely(app, short_clip):
    asset_id, job_id = import_clip(app, short_clip)
    with app.app_context():
        run_transcode_job(job_id, "worker-a")
        asset = db.session.get(VideoAsset, asset_id)
        first_prefix = asset.hls_prefix
        names = [key.removeprefix(first_prefix) for key in get_storage().list(first_prefix)]
        job = services.queue_transcode(asset)
        db.session.commit()
        assert run_transcode_job(job.id, "worker-b") == "done"
        # The rerun published a version of its own, with the same files.
        assert asset.hls_prefix != first_prefix
        again = [key.removeprefix(asset.hls_prefix) for key in get_storage().list(asset.hls_prefix)]
        assert again == names
        jobs = db.session.scalars(select(TranscodeJob).where(TranscodeJob.asset_id == asset_id))
        assert [j.status for j in jobs] == ["done", "done"]


def test_deleting_an_asset_deletes_its_files(app, short_clip):
    asset_id, job_id = import_clip(app, short_clip)
    with app.app_context():
        run_transcode_job(job_id, "worker-a")
        asset = db.session.get(VideoAsset, asset_id)
        prefixes = (asset.hls_prefix, asset.source_prefix)
        services.delete_asset(asset)
        db.session.commit()
        assert all(get_storage().list(prefix) == [] for prefix in prefixes)
        assert db.session.get(TranscodeJob, job_id) is None


def test_one_log_line_per_run_names_the_asset_and_attempt(app, caplog, tmp_path):
    caplog.set_level(logging.INFO, logger="lms.jobs")
    not_a_video = tmp_path / "notes.mp4"
    not_a_video.write_text("these are not moving pictures")
    with app.app_context():
        asset = services.create_asset_from_file(not_a_video, actor=None)
        db.session.commit()
        job_id, asset_id = asset.jobs[0].id, asset.id
        assert run_transcode_job(job_id, "worker-a") == "failed"
        assert run_transcode_job(job_id, "worker-b") is None  # nothing left to claim
    first, second = [r.fields for r in caplog.records if r.name == "lms.jobs"]
    assert first["job_id"] == job_id and first["asset_id"] == asset_id
    assert first["outcome"] == "failed" and first["attempt"] == 1 and first["seconds"] >= 0
    assert second["outcome"] == "skipped" and second["worker_id"] == "worker-b"
