"""Two gunicorn web processes, a Celery worker and celery beat on PostgreSQL, Redis and S3.

What one node does, another can finish: a teacher uploads through web 1, the worker
transcodes, a learner plays through web 2 with the media coming from S3 (never from a
web process), heartbeats handled by both processes in turn add up to exactly what one
process would credit, and a card scan synced through web 1 is on web 2's roster.
"""

import re
import time
import uuid

import pytest
import requests

from lms.timeutil import utcnow
from tests.factories import make_clip
from tests.helpers import wait_for
from tests.scale import seed
from tests.scale.cluster import SITE_ORIGIN
from tests.scale.lessons import first_byte_range, netloc, playlist_uris, upload_video, video_state
from tests.scale.players import Player, audit

pytestmark = pytest.mark.slow  # real processes: web nodes, a Celery worker, beat

HEARTBEAT_SECONDS = 2
BEATS = 6


def test_upload_transcode_play_study_and_scan_across_processes(
    cluster, control_app, monitor, tmp_path
):
    cluster.environ["LMS_HEARTBEAT_SECONDS"] = str(HEARTBEAT_SECONDS)
    web1 = cluster.start_web("web1", wait=False)
    web2 = cluster.start_web("web2", wait=False)
    worker = cluster.start_worker(wait=False)
    beat = cluster.start_beat(wait=False)
    clip = make_clip(tmp_path / "lesson.mp4", seconds=12, size="320x240")
    course = seed.course_with_lesson(control_app)
    learner = seed.enrolled_learners(control_app, course.course_id, course.town_id, 1)[0]
    classroom = seed.class_with_card(control_app, course.town_code, learner.id)
    cluster.wait_ready(web1, web2, worker, beat)
    webs = [web1.url, web2.url]

    # The teacher uploads through web 1; the Celery worker transcodes.
    upload_video(web1.url, course.teacher.headers, course.lesson_id, clip)

    def ready():
        state = video_state(web1.url, course.teacher.headers, course.lesson_id)
        for side in ("current", "pending"):
            assert not (state[side] and state[side]["status"] == "failed"), state
        return state["current"] and state["current"]["ready"]

    wait_for(ready, timeout=180, message="the worker to transcode the upload", interval=0.5)
    assert "lms.media.transcode" in worker.text()

    # The learner plays through web 2: playlists come from the app, media from S3.
    master = requests.get(
        f"{web2.url}/api/v1/lessons/{course.lesson_id}/playlist.m3u8",
        headers=learner.headers,
        timeout=30,
    )
    assert master.status_code == 200, master.text
    variants = playlist_uris(master.text)
    assert variants and all(netloc(url) == netloc(web2.url) for url in variants)
    public_s3 = netloc(cluster.s3_public_endpoint)
    web_nodes = {netloc(web1.url), netloc(web2.url)}
    for number, variant_url in enumerate(variants):
        # A variant link signed by web 2 is honoured by web 1: the secret is shared.
        via = variant_url.replace(web2.url, webs[number % 2])
        variant = requests.get(via, timeout=30)
        assert variant.status_code == 200, variant.text
        media = playlist_uris(variant.text)
        assert media and {netloc(url) for url in media} == {public_s3}
        assert not {netloc(url) for url in media} & web_nodes
    segment_url, offset, length = first_byte_range(variant.text)
    piece = requests.get(
        segment_url,
        headers={"Range": f"bytes={offset}-{offset + length - 1}", "Origin": SITE_ORIGIN},
        timeout=30,
    )
    assert piece.status_code == 206 and len(piece.content) == length
    assert piece.headers["Access-Control-Allow-Origin"] == SITE_ORIGIN

    # Heartbeats alternate between the processes; one is resent to the other.
    player = Player(learner.id, learner.headers)
    opened = requests.post(
        f"{web2.url}/api/v1/lessons/{course.lesson_id}/play-sessions",
        json={},
        headers=learner.headers,
        timeout=30,
    )
    assert opened.status_code == 201, opened.text
    player.play_session_id = opened.json()["play_session_id"]
    player.mark = time.monotonic()

    def send(base: str, body: dict) -> None:
        reply = requests.post(
            player.heartbeats_url(base), json=body, headers=player.headers, timeout=30
        )
        assert reply.status_code == 200, reply.text
        player.answered_with(body, reply.json()["credited_seconds"])

    for _ in range(BEATS):
        time.sleep(1.0)  # the learner watches for a second (real time, honestly reported)
        body = player.next_beat()
        send(webs[body["seq"] % 2], body)
        if body["seq"] == 3:  # its answer "was lost": the client sends it to the other node
            send(webs[(body["seq"] + 1) % 2], body)
    duration = monitor.execute(
        "SELECT a.duration FROM lessons l JOIN video_assets a ON a.id = l.asset_id WHERE l.id = %s",
        (course.lesson_id,),
    ).fetchone()[0]
    problems, summary = audit(
        monitor,
        [player],
        lesson_id=course.lesson_id,
        duration=duration,
        interval=HEARTBEAT_SECONDS,
    )
    assert not problems, "\n".join(problems)
    assert player.repeats == [0.0]
    credited = monitor.execute(
        "SELECT credited_seconds FROM lesson_progress WHERE lesson_id = %s",
        (course.lesson_id,),
    ).fetchone()[0]
    assert credited > 0.5 * player.played, summary
    progress = requests.get(
        f"{web1.url}/api/v1/lessons/{course.lesson_id}/progress",
        headers=learner.headers,
        timeout=30,
    ).json()
    assert progress["lesson_credited_seconds"] == round(credited, 3)

    # A card scan synced through web 1 shows on web 2's roster, page and API.
    batch = {
        "device_now": utcnow().isoformat(),
        "scans": [
            {
                "nonce": uuid.uuid4().hex,
                "payload": classroom.card_payload,
                "mode": "checkin",
                "scanned_at": utcnow().isoformat(),
            }
        ],
    }
    scans_url = f"/api/v1/class-sessions/{classroom.class_session_id}/scans"
    synced = requests.post(
        web1.url + scans_url, json=batch, headers=classroom.staff.headers, timeout=30
    )
    assert synced.status_code == 200, synced.text
    assert synced.json()["results"][0]["status"] == "recorded"
    again = requests.post(
        web2.url + scans_url, json=batch, headers=classroom.staff.headers, timeout=30
    )
    assert again.json()["results"][0]["status"] == "duplicate"
    roster = requests.get(
        f"{web2.url}/api/v1/class-sessions/{classroom.class_session_id}/roster",
        headers=classroom.staff.headers,
        timeout=30,
    ).json()
    line = next(row for row in roster["learners"] if row["id"] == learner.id)
    assert line["checked_in"] and line["status"] == "present"
    page = requests.get(
        f"{web2.url}/class-sessions/{classroom.class_session_id}/roster",
        headers=classroom.staff.headers,
        timeout=30,
    )
    assert page.status_code == 200
    assert re.search(r"扩展学员0 .*?\n\s*<td class=\"status\" data-status=\"present\"", page.text)
    assert beat.alive() and worker.alive()
