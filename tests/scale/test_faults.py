"""Faults a scaled deployment meets, on real processes: a worker killed mid-transcode, the
Redis server restarted under load, a database connection dropped under a web process."""

import asyncio
import re
import time

import pytest
import requests

from tests.factories import make_clip
from tests.helpers import wait_for
from tests.scale import seed
from tests.scale.lessons import upload_video, video_state
from tests.scale.players import (
    Player,
    Tally,
    audit,
    client_session,
    open_play_sessions,
    play,
)

pytestmark = pytest.mark.slow  # real processes killed and restarted

LESSON_SECONDS = 36_000.0
CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def test_a_worker_killed_mid_transcode_is_replaced_and_beat_s_sweeper_requeues_the_job(
    cluster, control_app, monitor, tmp_path
):
    """celery beat sends the sweeper (every 30 s) to whichever worker is up: the job of
    the killed worker, its lease run out, is handed to the new worker, which finishes
    it. Nothing here calls the sweeper; the test waits for beat's tick."""
    cluster.environ["LMS_JOB_LEASE_SECONDS"] = "5"
    web = cluster.start_web("web1", wait=False)
    beat = cluster.start_beat(wait=False)
    # A slow preset keeps the first worker busy long enough to be killed mid-way.
    first = cluster.start_worker("worker1", wait=False, LMS_TRANSCODE_PRESET="slower")
    clip = make_clip(tmp_path / "long.mp4", seconds=12, size="640x360")
    course = seed.course_with_lesson(control_app)
    cluster.wait_ready(web, beat, first)

    upload_video(web.url, course.teacher.headers, course.lesson_id, clip)

    def transcoding():
        pending = video_state(web.url, course.teacher.headers, course.lesson_id)["pending"]
        return pending and pending["status"] == "transcoding" and pending["percent"] > 0

    wait_for(
        transcoding, timeout=120, message="the first worker to start transcoding", interval=0.3
    )
    first.kill()
    job = monitor.execute("SELECT id, status, lease_owner, attempts FROM transcode_jobs").fetchall()
    assert len(job) == 1 and job[0][1] == "running" and job[0][3] == 1, job
    job_id, _, first_owner, _ = job[0]
    second = cluster.start_worker("worker2")

    def ready():
        state = video_state(web.url, course.teacher.headers, course.lesson_id)
        assert not (state["pending"] and state["pending"]["status"] == "failed"), state
        return state["current"] and state["current"]["ready"]

    wait_for(
        ready,
        timeout=240,
        message="beat's sweeper and the new worker to finish the job",
        interval=0.5,
    )
    status, owner, attempts = monitor.execute(
        "SELECT status, lease_owner, attempts FROM transcode_jobs WHERE id = %s", (job_id,)
    ).fetchone()
    assert (status, attempts) == ("done", 2) and owner != first_owner
    assert "Sending due task media.requeue_expired_jobs" in beat.text()
    assert "lms.periodic" in second.text() and "lms.media.transcode" in second.text()
    playlist = requests.get(
        f"{web.url}/api/v1/lessons/{course.lesson_id}/playlist.m3u8",
        headers=course.teacher.headers,
        timeout=30,
    )
    assert playlist.status_code == 200 and "#EXTM3U" in playlist.text


def log_in(base: str, username: str) -> requests.Response:
    """The login form, as a browser fills it in (POST /login is rate limited in Redis)."""
    browser = requests.Session()
    page = browser.get(f"{base}/login", timeout=30)
    token = CSRF_FIELD.search(page.text).group(1)
    return browser.post(
        f"{base}/login",
        data={"csrf_token": token, "username": username, "password": seed.PASSWORD},
        allow_redirects=False,
        timeout=30,
    )


def test_restarting_redis_while_learners_beat_keeps_every_total_exact(
    cluster, control_app, monitor
):
    """The private Redis (rate limits of both web processes, their broker) is stopped
    and started again while 20 learners beat every 2 s through both processes, a
    fifth of the beats sent twice as by a client whose answer was lost. Every beat is
    answered or fails cleanly and is sent again with the same seq; totals stay exact; a
    log-in (rate limited in Redis) works during the outage and after it."""
    cluster.environ["LMS_HEARTBEAT_SECONDS"] = "2"
    webs = [cluster.start_web("web1", wait=False), cluster.start_web("web2", wait=False)]
    course = seed.course_with_lesson(control_app, video_seconds=LESSON_SECONDS)
    learners = seed.enrolled_learners(control_app, course.course_id, course.town_id, 20)
    usernames = dict(monitor.execute("SELECT id, username FROM users").fetchall())
    cluster.wait_ready(*webs)
    players = [Player(learner.id, learner.headers) for learner in learners]
    logins = {}

    async def outage(elapsed: float) -> None:
        if elapsed >= 3 and "down" not in logins:
            await asyncio.to_thread(cluster.redis.stop)
            assert not cluster.redis.pings()
            logins["down"] = await asyncio.to_thread(log_in, webs[0].url, usernames[learners[0].id])
        elif elapsed >= 7 and "up" not in logins:
            await asyncio.to_thread(cluster.redis.start)
            logins["up"] = await asyncio.to_thread(log_in, webs[1].url, usernames[learners[1].id])

    async def drive() -> Tally:
        async with client_session() as client:
            bases = [web.url for web in webs]
            await open_play_sessions(client, bases, players, course.lesson_id)
            tally = Tally()
            await play(
                client,
                bases,
                players,
                seconds=12,
                interval=2,
                tally=tally,
                resend_share=0.2,
                on_tick=outage,
            )
            return tally

    tally = asyncio.run(drive())
    problems, summary = audit(
        monitor, players, lesson_id=course.lesson_id, duration=LESSON_SECONDS, interval=2
    )
    print(f"redis restart: {tally.summary()}; {summary}")
    assert not tally.dirty, tally.dirty[:3]
    assert not problems, "\n".join(problems[:20])
    assert sum(len(player.repeats) for player in players) > 0
    assert set(logins) == {"down", "up"}
    for when, reply in logins.items():
        assert reply.status_code == 302, f"log-in with Redis {when}: {reply.status_code}"


def test_a_dropped_database_connection_fails_one_request_cleanly_and_the_next_works(
    cluster, control_app, monitor
):
    """pg_terminate_backend on every connection of the web process (a database failover,
    an idle-connection reaper): the next beat is answered at once (the heartbeat draws
    its connection unpinged and tries once more when its first statement finds it dead),
    and so is the page after it (other requests ping the connection they draw)."""
    cluster.environ["LMS_HEARTBEAT_SECONDS"] = "1"
    web = cluster.start_web("web1", wait=False)
    course = seed.course_with_lesson(control_app, video_seconds=LESSON_SECONDS)
    learner = seed.enrolled_learners(control_app, course.course_id, course.town_id, 1)[0]
    cluster.wait_ready(web)
    player = Player(learner.id, learner.headers)
    opened = requests.post(
        f"{web.url}/api/v1/lessons/{course.lesson_id}/play-sessions",
        json={},
        headers=learner.headers,
        timeout=30,
    )
    player.play_session_id = opened.json()["play_session_id"]
    player.mark = time.monotonic()

    def beat(body):
        reply = requests.post(
            player.heartbeats_url(web.url), json=body, headers=player.headers, timeout=30
        )
        if reply.status_code == 429 and reply.json()["error"] == "too_soon":
            time.sleep(reply.json()["retry_after"])  # as the player does: send it when due
            return beat(body)
        if reply.status_code == 200:
            player.answered_with(body, reply.json()["credited_seconds"])
        return reply

    assert beat(player.next_beat()).status_code == 200
    terminated = monitor.execute(
        "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
    ).fetchall()
    assert terminated and all(done for _, done in terminated), terminated

    def gone():
        alive = monitor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)",
            ([pid for pid, _ in terminated],),
        ).fetchone()[0]
        return alive == 0

    wait_for(gone, timeout=10, message="the terminated backends to go")
    body = player.next_beat()
    first = beat(body)
    assert first.status_code == 200, first.text
    assert beat(player.next_beat()).status_code == 200
    assert requests.get(f"{web.url}/readyz", timeout=30).status_code == 200
    problems, _ = audit(
        monitor, [player], lesson_id=course.lesson_id, duration=LESSON_SECONDS, interval=1
    )
    assert not problems, "\n".join(problems)
