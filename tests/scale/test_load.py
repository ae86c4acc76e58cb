"""Load: simulated learners beating through both web processes lose and double-count
nothing.

By default 200 learners beat every 5 s (LMS_HEARTBEAT_SECONDS; the player's real period is
10 s) for 30 s, all on loopback: 1,200 beats, each learner's beats alternating between the two
gunicorn processes. Every beat must be answered 200; every answered beat must be in the
heartbeats table exactly once; each learner's credited total must equal the sum of its
beats' credits and the rule recomputed from their server timestamps, and never exceed
what it played. The figures (p50/p99 latency, throughput) are printed.

LMS_TEST_SCALE_LEARNERS, LMS_TEST_SCALE_SECONDS and LMS_TEST_SCALE_BEAT_SECONDS change the load.
"""

import asyncio
import os

import pytest

from tests.scale import seed
from tests.scale.players import Player, Tally, audit, client_session, open_play_sessions, play

pytestmark = pytest.mark.slow  # real processes under load for half a minute

LEARNERS = int(os.environ.get("LMS_TEST_SCALE_LEARNERS") or 200)
SECONDS = float(os.environ.get("LMS_TEST_SCALE_SECONDS") or 30)
BEAT_SECONDS = int(os.environ.get("LMS_TEST_SCALE_BEAT_SECONDS") or 5)
LESSON_SECONDS = 36_000.0  # long enough that nobody reaches the end


async def drive(bases: list, players: list, lesson_id: int) -> Tally:
    async with client_session() as client:
        opening = await open_play_sessions(client, bases, players, lesson_id)
        assert not opening.failures, opening.summary()
        tally = Tally()
        await play(client, bases, players, seconds=SECONDS, interval=BEAT_SECONDS, tally=tally)
        return tally


def test_learners_beating_on_two_processes_lose_and_double_count_nothing(
    cluster, control_app, monitor, capsys
):
    cluster.environ["LMS_HEARTBEAT_SECONDS"] = str(BEAT_SECONDS)
    webs = [cluster.start_web("web1", wait=False), cluster.start_web("web2", wait=False)]
    course = seed.course_with_lesson(control_app, video_seconds=LESSON_SECONDS)
    learners = seed.enrolled_learners(control_app, course.course_id, course.town_id, LEARNERS)
    cluster.wait_ready(*webs)
    players = [Player(learner.id, learner.headers) for learner in learners]

    tally = asyncio.run(drive([web.url for web in webs], players, course.lesson_id))

    problems, summary = audit(
        monitor,
        players,
        lesson_id=course.lesson_id,
        duration=LESSON_SECONDS,
        interval=BEAT_SECONDS,
    )
    with capsys.disabled():
        print(
            f"\nload: {LEARNERS} learners beating every {BEAT_SECONDS} s for {SECONDS:.0f} s on"
            f" 2 gunicorn processes (1 worker x 4 threads each): {tally.summary()};"
            f" {len(tally.latencies) / SECONDS:.1f} beats/s; {summary}"
        )
    assert not tally.failures and not tally.dirty, tally.summary()
    assert not problems, "\n".join(problems[:20])
    assert all(len(player.answered) >= int(SECONDS // BEAT_SECONDS) for player in players)
