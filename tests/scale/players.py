"""Simulated players sending honest heartbeats over HTTP, and the audit of what the
database credited them.

A player reports exactly the real time that passed since its last beat as played media
(rate 1, visible): the server's rule then credits min(server wall time, that media
time, the cap), so nothing here depends on controlling the server's clock. Beats go to
the web processes in turn (seq n to node n mod N), so consecutive beats of one play
session are handled by different processes.
"""

import asyncio
import json
import random
import time
from dataclasses import dataclass, field

from lms.study.services import Beat, apply_beat

TIMEOUT = 30.0  # seconds for any one request


@dataclass
class Player:
    learner_id: int
    headers: dict
    play_session_id: int = 0
    seq: int = 0
    position: float = 0.0
    mark: float = 0.0  # monotonic time up to which the played media was reported
    played: float = 0.0  # media seconds of the beats the server accepted
    answered: dict = field(default_factory=dict)  # seq -> credited_seconds of its first 200
    repeats: list = field(default_factory=list)  # credited_seconds answered to a resent seq
    uncertain: set = field(default_factory=set)  # seqs whose answer was lost in transit

    def next_beat(self) -> dict:
        """The next honest beat: the media played since the last one, in real time."""
        now = time.monotonic()
        elapsed, self.mark = now - self.mark, now
        start, self.position = self.position, self.position + elapsed
        self.seq += 1
        return {
            "seq": self.seq,
            "position": self.position,
            "segments": [[start, self.position]],
            "rate": 1.0,
            "visible": True,
        }

    def answered_with(self, body: dict, credited_seconds: float) -> None:
        """Note the server's 200 to ``body``: a first answer, or one to a resend."""
        if body["seq"] in self.answered:
            self.repeats.append(credited_seconds)
        else:
            self.answered[body["seq"]] = credited_seconds
            self.played += sum(end - start for start, end in body["segments"])

    def heartbeats_url(self, base: str) -> str:
        return f"{base}/api/v1/play-sessions/{self.play_session_id}/heartbeats"


@dataclass
class Tally:
    latencies: list = field(default_factory=list)  # seconds, answered requests
    failures: dict = field(default_factory=dict)  # why -> count
    dirty: list = field(default_factory=list)  # (status, body) of unclean failures

    def fail(self, why: str) -> None:
        self.failures[why] = self.failures.get(why, 0) + 1

    def percentile_ms(self, share: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]

    def summary(self) -> str:
        return (
            f"{len(self.latencies)} answered, p50 {self.percentile_ms(0.5):.1f} ms, "
            f"p99 {self.percentile_ms(0.99):.1f} ms, max {self.percentile_ms(1.0):.1f} ms, "
            f"failures {self.failures or 'none'}"
        )


def is_clean_failure(status: int, content_type: str, text: str) -> bool:
    """A refusal a client can act on: a 5xx or a 429 with a JSON error, no traceback."""
    return (
        (status >= 500 or status == 429)
        and content_type.startswith("application/json")
        and "Traceback" not in text
        and '"error"' in text
    )


async def request(client, method: str, url: str, tally: Tally, **kwargs):
    """(status, json or None); transport errors are (None, None). Records latency and
    failures (an unclean 5xx also in ``tally.dirty``); a 429 comes with its JSON (its
    ``retry_after``)."""
    import aiohttp

    started = time.perf_counter()
    try:
        async with client.request(method, url, **kwargs) as reply:
            text = await reply.text()
            status, content_type = reply.status, reply.content_type or ""
    except (TimeoutError, aiohttp.ClientError) as error:
        tally.fail(error.__class__.__name__)
        return None, None
    tally.latencies.append(time.perf_counter() - started)
    if status >= 300:
        tally.fail(f"HTTP {status}")
        if not is_clean_failure(status, content_type, text):
            tally.dirty.append((status, text[:2000]))
        return status, json.loads(text) if status == 429 else None
    return status, json.loads(text) if text else None


def client_session():
    import aiohttp

    return aiohttp.ClientSession(
        # A fresh connection per request: a keep-alive connection the server closed
        # meanwhile would fail the next request for reasons that are not the app's.
        connector=aiohttp.TCPConnector(limit=400, force_close=True),
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=TIMEOUT),
    )


async def open_play_sessions(client, bases: list, players: list, lesson_id: int) -> Tally:
    tally, gate = Tally(), asyncio.Semaphore(8)

    async def open_one(index: int, player: Player) -> None:
        async with gate:
            base = bases[index % len(bases)]
            status, body = await request(
                client,
                "POST",
                f"{base}/api/v1/lessons/{lesson_id}/play-sessions",
                tally,
                json={},
                headers=player.headers,
            )
        assert status == 201, f"opening a play session answered {status}"
        player.play_session_id = body["play_session_id"]

    await asyncio.gather(*(open_one(i, p) for i, p in enumerate(players)))
    return tally


async def send_until_answered(client, bases, index, player, body, tally, deadline) -> None:
    """Send one beat; after a transport error or a 5xx send the same seq again (to the
    next node) until it is answered or ``deadline`` passes. A beat refused as too soon
    after the last one (a slow answer delayed that one) goes again when it is due."""
    attempt = 0
    while True:
        base = bases[(index + body["seq"] + attempt) % len(bases)]
        status, answer = await request(
            client, "POST", player.heartbeats_url(base), tally, json=body, headers=player.headers
        )
        if status is None:  # the server may have recorded it: the answer is unknown
            player.uncertain.add(body["seq"])
        if status == 200:
            player.answered_with(body, answer["credited_seconds"])
            return
        if status == 429 and answer["error"] == "too_soon":
            await asyncio.sleep(answer["retry_after"])
            continue
        if status is not None and status < 500:  # refused: sending it again cannot help
            raise AssertionError(f"beat {body['seq']} of {player.learner_id}: HTTP {status}")
        if time.monotonic() > deadline:
            raise AssertionError(f"beat {body['seq']} of {player.learner_id} never answered")
        attempt += 1
        await asyncio.sleep(0.2)


async def play(
    client, bases, players, *, seconds, interval, tally, resend_share=0.0, on_tick=None
) -> None:
    """Every player beats every ``interval`` s for ``seconds`` (the first beat at a random
    offset, at least half an interval after the opening, as the server asks), then
    pauses: what it played is exactly what it reported. A share of the beats is sent a
    second time after its answer, as a client whose answer was lost."""
    start = time.monotonic()
    end, deadline = start + seconds, start + seconds + 4 * TIMEOUT

    async def run(index: int, player: Player) -> None:
        player.mark = time.monotonic()
        slot = start + random.uniform(interval / 2, interval)
        while slot < end:
            delay = slot - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            body = player.next_beat()
            await send_until_answered(client, bases, index, player, body, tally, deadline)
            if random.random() < resend_share:
                await send_until_answered(client, bases, index + 1, player, body, tally, deadline)
            slot += interval

    async def ticker() -> None:
        while time.monotonic() < end:
            await asyncio.sleep(0.25)
            await on_tick(time.monotonic() - start)

    jobs = [run(i, p) for i, p in enumerate(players)] + ([ticker()] if on_tick else [])
    await asyncio.wait_for(asyncio.gather(*jobs), seconds + 5 * TIMEOUT)


# --- the audit -------------------------------------------------------------------------


def replayed_credits(connection, play_session_id: int, *, duration: float, interval: float):
    """[(seq, stored credit, credit by the rule)] for every kept beat of the session.

    The rule (lms.study.services.apply_beat) is run again over the beats in seq order
    with the server's own timestamps: the opening of the session, then each kept
    beat's received_at. That is what one process receiving them all would credit.
    """
    opened_at = connection.execute(
        "SELECT opened_at FROM play_sessions WHERE id = %s", (play_session_id,)
    ).fetchone()[0]
    rows = connection.execute(
        "SELECT seq, received_at, position, segments, rate, visible, credited_seconds"
        " FROM heartbeats WHERE play_session_id = %s ORDER BY seq",
        (play_session_id,),
    ).fetchall()
    covered, last_seq, last_at, replay = [], -1, opened_at, []
    for seq, received_at, position, segments, rate, visible, credited in rows:
        beat = Beat(seq, position, tuple(tuple(s) for s in segments), rate, visible)
        outcome = apply_beat(
            beat,
            last_seq=last_seq,
            wall_seconds=max(0.0, (received_at - last_at).total_seconds()),
            covered=covered,
            duration=duration,
            interval=interval,
            forbid_skip=False,
        )
        assert outcome.accepted, f"seq {seq} kept although not after {last_seq}"
        replay.append((seq, credited, outcome.credited_seconds))
        covered, last_seq, last_at = outcome.covered, seq, received_at
    return replay


def audit(connection, players: list, *, lesson_id: int, duration: float, interval: float):
    """Problems found (an empty list when every total is exact), and a summary."""
    progress = dict(
        connection.execute(
            "SELECT learner_id, credited_seconds FROM lesson_progress WHERE lesson_id = %s",
            (lesson_id,),
        ).fetchall()
    )
    daily = dict(
        connection.execute(
            "SELECT learner_id, sum(credited_seconds) FROM daily_study GROUP BY learner_id"
        ).fetchall()
    )
    problems, played, credited = [], 0.0, 0.0
    for player in players:
        replay = replayed_credits(
            connection, player.play_session_id, duration=duration, interval=interval
        )
        kept = [seq for seq, _, _ in replay]
        stored = sum(credit for _, credit, _ in replay)
        by_rule = sum(credit for _, _, credit in replay)
        total = progress.get(player.learner_id, 0.0)
        who = f"learner {player.learner_id}"
        if kept != sorted(player.answered):
            problems.append(f"{who}: kept seqs {kept} but answered {sorted(player.answered)}")
        differing = [(seq, mine, rule) for seq, mine, rule in replay if abs(mine - rule) > 1e-9]
        if differing:
            problems.append(f"{who}: beats credited otherwise than the rule: {differing}")
        if abs(total - stored) > 1e-6 or abs(total - by_rule) > 1e-6:
            problems.append(f"{who}: credited {total}, beats {stored}, rule {by_rule}")
        if abs(daily.get(player.learner_id, 0.0) - total) > 1e-6:
            problems.append(f"{who}: daily total {daily.get(player.learner_id)} vs {total}")
        certain = [seq for seq in kept if seq not in player.uncertain]
        answered = sum(player.answered[seq] for seq in certain)
        kept_credit = sum(credit for seq, credit, _ in replay if seq not in player.uncertain)
        if abs(answered - kept_credit) > 0.0006 * max(1, len(certain)):  # rounded to 1 ms
            problems.append(f"{who}: answers add up to {answered}, its beats {kept_credit}")
        if any(player.repeats):
            problems.append(f"{who}: a resent beat was credited {player.repeats}")
        if total > player.played + 1e-6:
            problems.append(f"{who}: credited {total} s but played {player.played} s")
        played, credited = played + player.played, credited + total
    beats = sum(len(player.answered) for player in players)
    resent = sum(len(player.repeats) for player in players)
    summary = (
        f"{len(players)} players, {beats} beats kept once each ({resent} resent, credited 0),"
        f" played {played:.1f} s, credited {credited:.1f} s"
        f" ({credited / played if played else 0:.4f})"
    )
    return problems, summary
