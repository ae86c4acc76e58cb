"""The heartbeat benchmark's load generator: simulated learners (asyncio + aiohttp, one
process) that log in, open a play session and beat honestly, paced or saturated, and
clients of /healthz beside them. benchmarks/heartbeats.py runs it; heartbeat_report.py
sums up what it measured."""

from __future__ import annotations

import asyncio
import random
import re
import time
from dataclasses import dataclass, field

from heartbeat_report import summarise

PASSWORD = "bench-password-9"
CSRF_META = re.compile(r'name="csrf-token" content="([^"]+)"')
TIMEOUT = 30.0  # seconds, for any one request
SPACING = 0.55  # x the interval, from the last answer: the server refuses beats < 0.5 apart


@dataclass
class Learner:
    username: str
    cookie: str = ""  # a session cookie naming the learner (else it logs in)
    headers: dict = field(default_factory=dict)
    play_session_id: int = 0
    seq: int = 0
    position: float = 0.0
    mark: float = 0.0  # monotonic time up to which the played media was reported
    played: float = 0.0  # media seconds sent in answered beats
    answered_credit: float = 0.0  # sum of the credited_seconds the server answered
    lost: float = 0.0  # media seconds sent in beats that failed


@dataclass
class Tally:
    latencies: list = field(default_factory=list)
    failures: dict = field(default_factory=dict)
    late: int = 0  # paced requests answered after the next one was due

    def fail(self, why: str) -> None:
        self.failures[why] = self.failures.get(why, 0) + 1


async def log_in(connector, base: str, learner: Learner, lesson_id: int) -> None:
    import aiohttp
    from yarl import URL

    jar = aiohttp.CookieJar(unsafe=True)  # unsafe: accept cookies from an IP address
    timeout = aiohttp.ClientTimeout(total=TIMEOUT * 2)
    async with aiohttp.ClientSession(
        connector=connector, connector_owner=False, cookie_jar=jar, timeout=timeout
    ) as client:
        if learner.cookie:  # a session made for it (hundreds of scrypt log-ins take minutes)
            jar.update_cookies({"session": learner.cookie}, URL(base))
        else:
            async with client.get(f"{base}/login") as page:
                token = CSRF_META.search(await page.text()).group(1)
            form = {"csrf_token": token, "username": learner.username, "password": PASSWORD}
            async with client.post(f"{base}/login", data=form, allow_redirects=False) as reply:
                if reply.status != 302:
                    raise SystemExit(f"login of {learner.username} answered {reply.status}")
        async with client.get(f"{base}/") as page:
            token = CSRF_META.search(await page.text()).group(1)
        async with client.post(
            f"{base}/api/v1/lessons/{lesson_id}/play-sessions",
            json={},
            headers={"X-CSRFToken": token},
        ) as reply:
            if reply.status != 201:
                raise SystemExit(f"play session of {learner.username}: {reply.status}")
            opened = await reply.json()
        cookie = next(c.value for c in jar if c.key == "session")
    learner.play_session_id = opened["play_session_id"]
    learner.headers = {"Cookie": f"session={cookie}", "X-CSRFToken": token}


async def send_beat(client, base: str, learner: Learner, tally: Tally) -> None:
    """One honest beat: the media played since the last one, in real time."""
    import aiohttp

    now = time.monotonic()
    played, learner.mark = now - learner.mark, now
    start, learner.position = learner.position, learner.position + played
    learner.seq += 1
    body = {
        "seq": learner.seq,
        "position": learner.position,
        "segments": [[start, learner.position]],
        "rate": 1.0,
        "visible": True,
    }
    url = f"{base}/api/v1/play-sessions/{learner.play_session_id}/heartbeats"
    started = time.perf_counter()
    try:
        async with client.post(url, json=body, headers=learner.headers) as reply:
            answer = await reply.json() if reply.status == 200 else None
            status = reply.status
    except (TimeoutError, aiohttp.ClientError) as error:
        learner.lost += played
        tally.fail(error.__class__.__name__)
        return
    if answer is None:  # a refused beat (429 too soon, ...) is no throughput
        learner.lost += played
        tally.fail(f"HTTP {status}")
        return
    tally.latencies.append(time.perf_counter() - started)
    learner.played += played
    learner.answered_credit += answer["credited_seconds"]


async def send_healthz(client, base: str, learner: Learner, tally: Tally) -> None:
    import aiohttp

    started = time.perf_counter()
    try:
        async with client.get(f"{base}/healthz") as reply:  # as a probe: no session cookie
            await reply.read()
            status = reply.status
    except (TimeoutError, aiohttp.ClientError) as error:
        tally.fail(error.__class__.__name__)
        return
    tally.latencies.append(time.perf_counter() - started)
    if status != 200:
        tally.fail(f"HTTP {status}")


async def run_slice(client, base, learners, kind, seconds, interval, spacing=0.0) -> Tally:
    """Every learner plays (or polls /healthz) for ``seconds``: one request per interval
    when ``interval`` is given, back to back otherwise, but never sooner than ``spacing``
    after its last answer (heartbeats: the minimum spacing). A playing learner
    resumes at the start and pauses at its last beat, so what it played is exactly what
    it reported."""
    send = send_beat if kind == "heartbeats" else send_healthz
    tally = Tally()
    start = time.monotonic()
    end = start + seconds

    async def play(learner: Learner) -> None:
        learner.mark = start
        slot = start + (random.uniform(0, interval) if interval else 0.0)
        while slot < end and time.monotonic() < end:
            delay = slot - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            await send(client, base, learner, tally)
            # The spacing counts from the answer: the server took the beat before it, so
            # the next one reaches it at least ``spacing`` later, however long it queued.
            slot = max(slot + interval, time.monotonic() + spacing)
            if interval and time.monotonic() > slot + 0.05:
                tally.late += 1  # answered after the next beat was due: that one goes now
                slot = time.monotonic()

    await asyncio.wait_for(
        asyncio.gather(*(play(learner) for learner in learners)), seconds + 3 * TIMEOUT
    )
    return tally


async def drive(options, base: str, lesson_id: int, meter) -> tuple[list, dict]:
    import aiohttp

    learners = [
        Learner(f"learner{number:05d}", options.cookies.get(f"learner{number:05d}", ""))
        for number in range(options.learners)
    ]
    connector = aiohttp.TCPConnector(limit=options.learners + 8, force_close=True)
    try:
        gate = asyncio.Semaphore(4)  # logging in hashes the password (scrypt) on the server

        async def enter(learner):
            async with gate:
                await log_in(connector, base, learner, lesson_id)

        started = time.monotonic()
        await asyncio.wait_for(
            asyncio.gather(*(enter(learner) for learner in learners)), 60 + options.learners
        )
        login_seconds = time.monotonic() - started
        timeout = aiohttp.ClientTimeout(total=TIMEOUT)
        async with aiohttp.ClientSession(
            connector=connector,
            connector_owner=False,
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=timeout,
        ) as client:
            phases = {}
            # Paced: one request per interval from each client, beats then /healthz.
            for kind in ("heartbeats", "healthz"):
                meter.start()
                # A beat answered late is followed at once, but never sooner than the
                # minimum spacing (the server would refuse it).
                spacing = SPACING * options.interval if kind == "heartbeats" else 0.0
                tally = await run_slice(
                    client, base, learners, kind, options.seconds, options.interval, spacing
                )
                phases[f"paced {kind}"] = summarise([tally], [meter.stop()])
            # Saturated: back to back, alternating slices so drift hits both alike.
            tallies = {"heartbeats": ([], []), "healthz": ([], [])}
            piece = options.seconds / (2 * options.rounds)
            for _ in range(options.rounds):
                for kind in ("heartbeats", "healthz"):
                    meter.start()
                    # Each learner as fast as the minimum spacing allows (half an
                    # interval; a margin for the network): enough learners saturate the
                    # server without a 429.
                    spacing = SPACING * options.interval if kind == "heartbeats" else 0.0
                    tally = await run_slice(client, base, learners, kind, piece, 0, spacing)
                    tallies[kind][0].append(tally)
                    tallies[kind][1].append(meter.stop())
            for kind, (parts, usage) in tallies.items():
                phases[f"saturated {kind}"] = summarise(parts, usage)
    finally:
        await connector.close()
    return learners, {"login_seconds": round(login_seconds, 1), "phases": phases}


async def run_spread_slice(
    client, bases: list, learners: list, seconds: float, spacing: float = 0.0
) -> Tally:
    """Saturated beats for ``seconds``: each learner sends its next beat as soon as the
    last is answered (but not sooner than ``spacing`` after that answer), beat n
    of learner i to ``bases[(i + n) % len(bases)]``."""
    tally = Tally()
    start = time.monotonic()
    end = start + seconds

    async def play(index: int, learner: Learner) -> None:
        learner.mark = start
        while time.monotonic() < end:
            await send_beat(client, bases[(index + learner.seq) % len(bases)], learner, tally)
            await asyncio.sleep(spacing)  # from the answer: never refused as too soon

    await asyncio.wait_for(
        asyncio.gather(*(play(i, learner) for i, learner in enumerate(learners))),
        seconds + 3 * TIMEOUT,
    )
    return tally


async def drive_scaling(options, bases: list, lesson_id: int, meters: dict) -> tuple:
    """Log every learner in once (a session is valid on every process: one secret), then
    alternate saturated slices on 1 and on 2 processes, ``options.rounds`` of each."""
    import aiohttp

    learners = [
        Learner(f"learner{number:05d}", options.cookies.get(f"learner{number:05d}", ""))
        for number in range(options.learners)
    ]
    connector = aiohttp.TCPConnector(limit=options.learners + 8, force_close=True)
    try:
        gate = asyncio.Semaphore(4)  # logging in hashes the password (scrypt) on the server

        async def enter(index: int, learner: Learner) -> None:
            async with gate:
                await log_in(connector, bases[index % len(bases)], learner, lesson_id)

        started = time.monotonic()
        await asyncio.wait_for(
            asyncio.gather(*(enter(i, learner) for i, learner in enumerate(learners))),
            60 + options.learners,
        )
        login_seconds = time.monotonic() - started
        async with aiohttp.ClientSession(
            connector=connector,
            connector_owner=False,
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=aiohttp.ClientTimeout(total=TIMEOUT),
        ) as client:
            parts = {count: ([], []) for count in meters}
            piece = options.seconds / (len(meters) * options.rounds)
            for _ in range(options.rounds):
                for count, meter in meters.items():
                    meter.start()
                    tally = await run_spread_slice(
                        client, bases[:count], learners, piece, SPACING * options.interval
                    )
                    parts[count][0].append(tally)
                    parts[count][1].append(meter.stop())
    finally:
        await connector.close()
    phases = {
        f"{count} web process{'es' if count > 1 else ''}": summarise(tallies, usage)
        for count, (tallies, usage) in parts.items()
    }
    return learners, {"login_seconds": round(login_seconds, 1), "phases": phases}
