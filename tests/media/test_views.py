from lms.extensions import db
from lms.media import services
from lms.media.jobs import run_transcode_job
from lms.media.models import TranscodeJob


def failed_job(app, tmp_path, owner=None):
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"\x00" * 4096)
    with app.app_context():
        from lms.accounts.models import User

        actor = db.session.get(User, owner.id) if owner else None
        asset = services.create_asset_from_file(bad, actor=actor)
        db.session.commit()
        run_transcode_job(asset.jobs[0].id, "worker-a")
        return asset.public_id, asset.jobs[0].id


def test_the_admin_sees_failed_jobs_and_retries_one(
    app, client, csrf_token, login_as, make_user, tmp_path
):
    _, job_id = failed_job(app, tmp_path)
    login_as(make_user("admin"))
    page = client.get("/media/jobs").get_data(as_text=True)
    assert "broken.mp4" in page and f"#{job_id}" in page
    response = client.post(f"/media/jobs/{job_id}/retry", data={"csrf_token": csrf_token()})
    assert response.status_code == 302
    with app.app_context():
        job = db.session.get(TranscodeJob, job_id)
        assert [j.status for j in job.asset.jobs] == ["failed", "queued"]
        assert job.asset.status == "uploaded"
    assert "broken.mp4" not in client.get("/media/jobs").get_data(as_text=True)


def test_only_the_admin_opens_the_jobs_page(client, login_as, make_user):
    for role in ("learner", "teacher", "staff"):
        login_as(make_user(role))
        assert client.get("/media/jobs").status_code == 403
        assert client.post("/media/jobs/1/retry").status_code in (400, 403)


def test_asset_status_is_shown_to_its_uploader_only(app, client, login_as, make_user, tmp_path):
    teacher, other = make_user("teacher"), make_user("teacher")
    public_id, _ = failed_job(app, tmp_path, owner=teacher)
    url = f"/api/v1/media/assets/{public_id}"
    assert client.get(url).status_code == 401
    login_as(other)
    assert client.get(url).status_code == 404
    login_as(teacher)
    body = client.get(url).json
    assert body["status"] == "failed" and body["failure"]


def test_import_video_and_transcode_now_from_the_command_line(app, short_clip):
    runner = app.test_cli_runner()
    imported = runner.invoke(args=["lms", "import-video", str(short_clip)])
    assert imported.exit_code == 0, imported.output
    asset_id = int(imported.output.split()[1])
    done = runner.invoke(args=["lms", "transcode", str(asset_id), "--now"])
    assert done.exit_code == 0 and "ready" in done.output, done.output
    missing = runner.invoke(args=["lms", "transcode", "999999"])
    assert missing.exit_code == 2


def test_transcode_now_reports_a_refused_file_with_exit_1(app, tmp_path):
    bad = tmp_path / "notes.mp4"
    bad.write_text("just text")
    runner = app.test_cli_runner()
    asset_id = int(runner.invoke(args=["lms", "import-video", str(bad)]).output.split()[1])
    result = runner.invoke(args=["lms", "transcode", str(asset_id), "--now"])
    assert result.exit_code == 1 and "failed" in result.output
    assert "Traceback" not in result.output
