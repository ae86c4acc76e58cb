"""Re-transcodes never mix versions (local storage and S3 on moto): a new transcode is
published under a prefix of its own and switched to in one update; a player holding the
old links keeps playing the old version until its links expire; the old files go after."""

import re
from datetime import timedelta

import pytest
import requests

from lms.extensions import db
from lms.media import retirement, services
from lms.media.jobs import run_transcode_job
from lms.media.models import RetiredRendition, VideoAsset
from lms.media.playback import master_playlist_for
from lms.media.storage import get_storage
from lms.timeutil import utcnow
from media_pipeline import LocalStorage

pytestmark = pytest.mark.slow  # every test runs real transcodes, some two
VERSION = re.compile(r"assets(?:/|%2F)[0-9a-f]+(?:/|%2F)(v\d+|hls)(?:/|%2F)")


@pytest.fixture
def app(storage_app):
    return storage_app


def uris(playlist: str) -> list[str]:
    found = []
    for line in playlist.splitlines():
        if line.startswith("#"):
            found += re.findall(r'URI="([^"]*)"', line)
        elif line.strip():
            found.append(line.strip())
    return found


def fetch(client, url, **headers):
    if url.startswith("http://localhost/"):
        response = client.get(url.removeprefix("http://localhost"), headers=headers)
        return response.status_code, response.get_data()
    response = requests.get(url, headers=headers, timeout=30)
    return response.status_code, response.content


def master(app, asset_id) -> str:
    with app.test_request_context(base_url="http://localhost"):
        return master_playlist_for(db.session.get(VideoAsset, asset_id))


def versions_played(app, client, master_text: str) -> set[str]:
    """Follow a master playlist to its variants and their media as a player does; every
    link must work. Returns the versions every link named."""
    versions = set()
    for variant in uris(master_text):
        versions |= set(VERSION.findall(variant))
        status, body = fetch(client, variant)
        assert status == 200, variant
        for media in uris(body.decode()):
            versions |= set(VERSION.findall(media))
            status, data = fetch(client, media, Range="bytes=0-15")
            assert status == 206 and data[4:8] == b"ftyp", media
    return versions


def transcoded(app, clip) -> int:
    with app.app_context():
        asset = services.create_asset_from_file(clip, actor=None)
        db.session.commit()
        assert run_transcode_job(asset.jobs[0].id, "worker-a") == "done"
        return asset.id


def force(app, asset_id) -> int:
    with app.app_context():
        job = services.force_reencode(db.session.get(VideoAsset, asset_id), actor=None)
        db.session.commit()
        return job.id


def test_first_transcode_publishes_a_version(app, short_clip):
    asset_id = transcoded(app, short_clip)
    with app.app_context():
        asset = db.session.get(VideoAsset, asset_id)
        assert asset.hls_version == f"v{asset.jobs[0].id}"
        assert asset.hls_prefix == f"assets/{asset.public_id}/{asset.hls_version}"
        assert f"{asset.hls_prefix}/master.m3u8" in get_storage().list(asset.storage_prefix)


def test_requests_during_a_retranscode_never_mix_versions(app, client, short_clip):
    asset_id = transcoded(app, short_clip)
    before = master(app, asset_id)
    (old,) = versions_played(app, client, before)
    job_id = force(app, asset_id)
    storage = app.extensions["lms_storage"]
    seen = []

    def check_between_objects():
        # Whatever is stored so far, a player starting now gets one version only, and a
        # player that started before keeps its own.
        assert versions_played(app, client, master(app, asset_id)) == {old}
        assert versions_played(app, client, before) == {old}
        seen.append(True)

    put_file, put_directory = storage.put_file, storage.put_directory

    def checked_put_file(*args, **kwargs):
        put_file(*args, **kwargs)
        check_between_objects()

    def checked_put_directory(*args, **kwargs):
        check_between_objects()
        published = put_directory(*args, **kwargs)
        check_between_objects()  # all stored, not yet switched
        return published

    storage.put_file, storage.put_directory = checked_put_file, checked_put_directory
    try:
        with app.app_context():
            assert run_transcode_job(job_id, "worker-b") == "done"
    finally:
        del storage.put_file, storage.put_directory
    assert len(seen) >= 2
    after = master(app, asset_id)
    assert versions_played(app, client, after) == {f"v{job_id}"} != {old}
    # The learner mid-lesson: the links they hold still play the version they started.
    assert versions_played(app, client, before) == {old}


def test_old_version_is_deleted_once_its_longest_link_has_expired(app, client, short_clip):
    asset_id = transcoded(app, short_clip)
    before = master(app, asset_id)
    job_id = force(app, asset_id)
    with app.app_context():
        assert run_transcode_job(job_id, "worker-b") == "done"
        asset = db.session.get(VideoAsset, asset_id)
        (retired,) = db.session.query(RetiredRendition).all()
        old_prefix = retired.prefix
        lifetime = (retired.delete_after - utcnow()).total_seconds()
        assert lifetime == pytest.approx(asset.duration + 7200, abs=5)
        assert retirement.delete_retired_renditions() == []  # not yet
        db.session.commit()
        assert get_storage().list(old_prefix)
        retired.delete_after = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert retirement.delete_retired_renditions() == [retired.id]
        db.session.commit()
        assert get_storage().list(old_prefix) == []
        assert get_storage().list(asset.hls_prefix)  # the new version stays
    assert versions_played(app, client, master(app, asset_id)) == {f"v{job_id}"}
    variant = uris(before)[0]
    assert fetch(client, variant)[0] == 404


def test_asset_published_before_versions_keeps_playing_and_is_retired(app, client, short_clip):
    asset_id = transcoded(app, short_clip)
    storage = app.extensions["lms_storage"]
    with app.app_context():  # as the migration leaves an asset transcoded before it
        asset = db.session.get(VideoAsset, asset_id)
        legacy = f"{asset.storage_prefix}/hls"
        for key in storage.list(asset.hls_prefix):
            relative = key.removeprefix(asset.hls_prefix + "/")
            with storage.open(key) as body:
                data = body.read()
            path = app.instance_path + "/legacy.bin"
            with open(path, "wb") as file:
                file.write(data)
            storage.put_file(path, f"{legacy}/{relative}")
        storage.delete_prefix(asset.hls_prefix)
        asset.hls_version = None
        db.session.commit()
        assert asset.hls_prefix == legacy
    assert versions_played(app, client, master(app, asset_id)) == {"hls"}
    job_id = force(app, asset_id)
    with app.app_context():
        assert run_transcode_job(job_id, "worker-b") == "done"
        (retired,) = db.session.query(RetiredRendition).all()
        assert retired.prefix == legacy
    assert versions_played(app, client, master(app, asset_id)) == {f"v{job_id}"}


def test_forced_reencode_encodes_every_rung(app, tmp_path):
    from tests.factories import make_clip

    clip = make_clip(tmp_path / "phone.mp4", phone=True)
    asset_id = transcoded(app, clip)
    with app.app_context():
        assert db.session.get(VideoAsset, asset_id).ladder["copied_rung"] == "240p"
    job_id = force(app, asset_id)
    with app.app_context():
        assert run_transcode_job(job_id, "worker-b") == "done"
        ladder = db.session.get(VideoAsset, asset_id).ladder
        assert ladder["copied_rung"] is None and ladder["copy_refusal"].startswith("forced")


def test_a_video_still_transcoding_cannot_be_forced(app, short_clip):
    with app.app_context():
        asset = services.create_asset_from_file(short_clip, actor=None)
        db.session.commit()
        with pytest.raises(services.NothingToReencode):
            services.force_reencode(asset, actor=None)


def test_the_retirement_task_is_registered():
    from lms.tasks.periodic import registered_tasks

    assert "media.delete_retired_renditions" in {task.name for task in registered_tasks()}


def test_local_storage_serves_both_versions_side_by_side(app, short_clip):
    if not isinstance(app.extensions["lms_storage"], LocalStorage):
        pytest.skip("local storage only")
    asset_id = transcoded(app, short_clip)
    job_id = force(app, asset_id)
    with app.app_context():
        assert run_transcode_job(job_id, "worker-b") == "done"
        asset = db.session.get(VideoAsset, asset_id)
        folders = {key.split("/")[2] for key in get_storage().list(asset.storage_prefix)}
        assert folders == {f"v{asset.jobs[0].id}", f"v{job_id}"}


def test_a_retried_transcode_of_a_playing_asset_keeps_it_playing(app, client, short_clip):
    asset_id = transcoded(app, short_clip)
    with app.app_context():
        job = services.queue_transcode(db.session.get(VideoAsset, asset_id))
        db.session.commit()
        assert db.session.get(VideoAsset, asset_id).is_ready
        job_id = job.id
    assert len(versions_played(app, client, master(app, asset_id))) == 1
    with app.app_context():
        assert run_transcode_job(job_id, "worker-b") == "done"
    assert versions_played(app, client, master(app, asset_id)) == {f"v{job_id}"}
