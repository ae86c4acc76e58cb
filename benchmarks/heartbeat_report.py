"""The heartbeat benchmark's report: per-phase figures, the credited totals checked
against what the learners played and the raw beats, the aims of issue #20 side by side
with what was measured, and the scaling verdict."""

from __future__ import annotations

AMBITION_BEATS = 1000  # 10,000 learners beating every 10 s on a 2-core node
CAP_FACTOR = 1.5  # services.CAP_FACTOR: a beat credits at most 1.5 x the interval
TOLERANCE = (0.5, 0.02)  # a learner's credit may fall short of its play by 0.5 s + 2 %
LESSON_SECONDS = 36_000.0  # the benchmark lesson: long enough that no learner reaches the end


def percentile(values: list, share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def summarise(tallies: list, usage: list[dict]) -> dict:
    latencies = [v for tally in tallies for v in tally.latencies]
    seconds = sum(u["seconds"] for u in usage)
    failures: dict = {}
    for tally in tallies:
        for why, count in tally.failures.items():
            failures[why] = failures.get(why, 0) + count
    answered = len(latencies)
    cpu = {
        side: sum(u[side] for u in usage) for side in ("workers", "postgres", "loadgen", "other")
    }
    return {
        "requests": answered,
        "seconds": round(seconds, 2),
        "per_second": round(answered / seconds, 1),
        "p50_ms": round(1000 * percentile(latencies, 0.50), 2),
        "p99_ms": round(1000 * percentile(latencies, 0.99), 2),
        "max_ms": round(1000 * max(latencies, default=float("nan")), 2),
        "failures": failures,
        "late": sum(tally.late for tally in tallies),
        "cores": {side: round(v / seconds, 2) for side, v in cpu.items()},
        "cpu_ms_per_request": {
            side: round(1000 * cpu[side] / max(answered, 1), 3)
            for side in ("workers", "postgres", "loadgen")
        },
    }


def check_credit(monitor, learners: list, interval: int) -> dict:
    """Compare the rollups with what each learner played and with the rule recomputed
    from the raw beats' server timestamps (min of wall time, media time, the cap)."""
    by_session = {learner.play_session_id: learner for learner in learners}
    sessions = {
        row[0]: row[1:]
        for row in monitor.execute(
            "SELECT id, learner_id, lesson_id, opened_at, credited_seconds FROM play_sessions"
            " WHERE id = ANY(%s)",
            (list(by_session),),
        )
    }
    lesson_progress = {
        (row[0], row[1]): row[2]
        for row in monitor.execute(
            "SELECT learner_id, lesson_id, credited_seconds FROM lesson_progress"
        )
    }
    daily = dict(
        monitor.execute("SELECT learner_id, sum(credited_seconds) FROM daily_study GROUP BY 1")
    )
    recomputed = {sid: 0.0 for sid in sessions}
    stored = {sid: 0.0 for sid in sessions}
    previous = {sid: row[2] for sid, row in sessions.items()}
    beats = monitor.execute(
        "SELECT play_session_id, received_at, segments, rate, visible, credited_seconds"
        " FROM heartbeats WHERE play_session_id = ANY(%s) ORDER BY play_session_id, seq",
        (list(by_session),),
    )
    for sid, received, segments, rate, visible, credited in beats:
        wall = (received - previous[sid]).total_seconds()
        previous[sid] = received
        media = sum(min(b, LESSON_SECONDS) - min(a, LESSON_SECONDS) for a, b in segments)
        if visible and 0 < rate <= 2.0:
            recomputed[sid] += max(0.0, min(wall, media / rate, CAP_FACTOR * interval))
        stored[sid] += credited
    rows = []
    for sid, (learner_id, lesson_id, _, session_credit) in sessions.items():
        learner = by_session[sid]
        credited = lesson_progress.get((learner_id, lesson_id), 0.0)
        rows.append(
            {
                "played": learner.played,
                "credited": credited,
                "deviation": credited - learner.played,
                "rule_gap": abs(credited - recomputed[sid]),
                "rollup_gap": max(
                    abs(credited - daily.get(learner_id, 0.0)),
                    abs(credited - session_credit),
                    abs(credited - stored[sid]),
                    abs(credited - learner.answered_credit),
                ),
                "lost": learner.lost,
            }
        )
    size, count = monitor.execute(
        "SELECT pg_total_relation_size('heartbeats'), (SELECT count(*) FROM heartbeats)"
    ).fetchone()
    worst = max(rows, key=lambda row: abs(row["deviation"]))
    beyond = [r for r in rows if abs(r["deviation"]) > TOLERANCE[0] + TOLERANCE[1] * r["played"]]
    played = sum(row["played"] for row in rows)
    credited = sum(row["credited"] for row in rows)
    return {
        "learners": len(rows),
        "played_seconds": round(played, 2),
        "credited_seconds": round(credited, 2),
        "credited_share": round(credited / played, 5) if played else None,
        "max_deviation_seconds": round(worst["deviation"], 3),
        "max_deviation_share": round(abs(worst["deviation"]) / worst["played"], 5)
        if worst["played"]
        else None,
        "max_over_credit_seconds": round(max(row["deviation"] for row in rows), 3),
        "max_rule_gap_seconds": round(max(row["rule_gap"] for row in rows), 6),
        # answered credits are rounded to 1 ms per beat
        "max_rollup_gap_seconds": round(max(row["rollup_gap"] for row in rows), 3),
        "lost_seconds": round(sum(row["lost"] for row in rows), 2),
        "beyond_tolerance": len(beyond),
        "raw_beat_bytes": round(size / count) if count else None,  # table + indexes + TOAST
    }


def analyse(result: dict, options) -> dict:
    phases = result["phases"]
    beats, healthz = phases["saturated heartbeats"], phases["saturated healthz"]
    server_ms = beats["cpu_ms_per_request"]["workers"] + beats["cpu_ms_per_request"]["postgres"]
    dedicated = 2000 / server_ms if server_ms else float("nan")
    return {
        "throughput_ratio": round(beats["per_second"] / healthz["per_second"], 3),
        "paced_p50_ratio": round(
            phases["paced healthz"]["p50_ms"] / phases["paced heartbeats"]["p50_ms"], 3
        ),
        "server_cpu_ms_per_beat": round(server_ms, 3),
        "beats_per_s_dedicated_2_cores": round(dedicated, 1),
        "ambition_factor_measured": round(AMBITION_BEATS / beats["per_second"], 2),
        "ambition_factor_dedicated": round(AMBITION_BEATS / dedicated, 2),
        "cores_needed_for_ambition": round(AMBITION_BEATS * server_ms / 1000, 2),
        "raw_beats_gb_per_day_at_ambition": round(
            AMBITION_BEATS * 86400 * (result["credit"]["raw_beat_bytes"] or 0) / 1e9, 1
        ),
    }


def render(result: dict, options) -> str:
    phases, probe, credit, verdict = (
        result["phases"],
        result["probe"],
        result["credit"],
        result["analysis"],
    )
    real = options.learners * 10 // options.interval
    lines = [
        f"Heartbeats: {options.learners} learners beating every {options.interval} s (the load "
        f"of ~{real:,} learners at the player's 10 s); gunicorn {options.workers} sync workers; "
        f"{result['postgres']}",
        f"machine: {result['cores']} cores shared by gunicorn, PostgreSQL, this load generator "
        f"(asyncio + aiohttp, one process) and anything else running; "
        f"logins took {result['login_seconds']} s",
        "",
        f"{'phase':<22}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'fail':>6}{'late':>6}"
        f"   cores: {'workers':>7}{'pg':>6}{'loadgen':>8}{'other':>6}",
    ]
    busiest = max(phase["cores"]["other"] for phase in phases.values())
    if busiest > 0.2:
        lines.insert(
            2,
            f"WARNING: other processes used up to {busiest} of the {result['cores']} cores"
            " during the run; throughput and latency are lower than on a quiet machine",
        )
    for name, phase in phases.items():
        cores = phase["cores"]
        lines.append(
            f"{name:<22}{phase['per_second']:>8}{phase['p50_ms']:>9}{phase['p99_ms']:>9}"
            f"{phase['max_ms']:>9}{sum(phase['failures'].values()):>6}{phase['late']:>6}"
            f"          {cores['workers']:>7}{cores['postgres']:>6}{cores['loadgen']:>8}"
            f"{cores['other']:>6}"
        )
    failed = {name: phase["failures"] for name, phase in phases.items() if phase["failures"]}
    if failed:
        lines.append(f"failed requests, by kind: {failed}")
    beats, healthz = phases["saturated heartbeats"], phases["saturated healthz"]
    timing = probe["in_process"]
    lines += [
        "",
        f"throughput ratio heartbeats / healthz (saturated, {options.learners} clients each): "
        f"{verdict['throughput_ratio']}  (aim >= 0.5)",
        f"paced p50 ratio healthz / heartbeats: {verdict['paced_p50_ratio']}",
        "CPU per request (saturated): heartbeat "
        f"{beats['cpu_ms_per_request']['workers']} ms worker + "
        f"{beats['cpu_ms_per_request']['postgres']} ms PostgreSQL + "
        f"{beats['cpu_ms_per_request']['loadgen']} ms load generator; healthz "
        f"{healthz['cpu_ms_per_request']['workers']} ms worker + "
        f"{healthz['cpu_ms_per_request']['loadgen']} ms load generator",
        f"database per beat: {probe['beat_statements']} SQL statements in "
        f"{probe['beat_checkouts']} transaction(s), {probe['beat_round_trips']} round trips "
        f"on the wire, BEGIN, COMMIT and pings included "
        f"({probe['healthz_statements']} statements for /healthz):",
        *wrap(", ".join(probe["beat_sql_summary"])),
        *wrap(f"sent: {probe['beat_wire']}"),
        f"in-process (test client, no HTTP, one thread): heartbeat {timing['heartbeat']['ms']} ms"
        f" ({timing['heartbeat']['cpu_ms']} ms CPU of this process, "
        f"{timing['heartbeat']['db_ms']} ms waiting in the database driver); "
        f"healthz {timing['healthz']['ms']} ms ({timing['healthz']['cpu_ms']} ms CPU)",
        "",
        f"credited: {credit['learners']} learners played {credit['played_seconds']} s and were "
        f"credited {credit['credited_seconds']} s ({credit['credited_share']}); largest "
        f"deviation of one learner {credit['max_deviation_seconds']} s "
        f"({credit['max_deviation_share']}); most over-credited "
        f"{credit['max_over_credit_seconds']} s",
        f"rollups vs the rule recomputed from raw beats: max gap {credit['max_rule_gap_seconds']}"
        f" s; lesson / daily / play session / answered totals: max gap "
        f"{credit['max_rollup_gap_seconds']} s; media in failed beats {credit['lost_seconds']} s",
        f"verdict: {result['credit_verdict']}",
        "",
        f"ambition 1,000 beats/s on 2 cores: measured {beats['per_second']} beats/s here "
        f"({verdict['ambition_factor_measured']}x short, load generator included); server side "
        f"{verdict['server_cpu_ms_per_beat']} ms CPU per beat -> "
        f"~{verdict['beats_per_s_dedicated_2_cores']} beats/s on 2 dedicated cores "
        f"({verdict['ambition_factor_dedicated']}x short; "
        f"{verdict['cores_needed_for_ambition']} cores for 1,000 beats/s)",
        f"raw beats take {credit['raw_beat_bytes']} bytes each with their indexes: "
        f"{verdict['raw_beats_gb_per_day_at_ambition']} GB a day at 1,000 beats/s, kept for "
        "LMS_HEARTBEAT_RETENTION_DAYS (90 by default)",
        "",
        *aims(result),
    ]
    return "\n".join(lines)


def wrap(text: str, width: int = 96) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width, initial_indent="  ", subsequent_indent="  ")


def credit_verdict(credit: dict, interval: int) -> str:
    problems = []
    if credit["max_over_credit_seconds"] > 0.01:
        problems.append("a learner was credited more than it played")
    if credit["max_rule_gap_seconds"] > 0.01 or credit["max_rollup_gap_seconds"] > 0.05:
        problems.append("the rollups disagree with the raw beats")
    if problems:
        return "FAIL: " + "; ".join(problems)
    if credit["beyond_tolerance"]:
        return (
            f"ok, but {credit['beyond_tolerance']} learners were credited less than they played"
            " by more than 0.5 s + 2%: the server's wall time between their beats was shorter"
            " than their play time (latency jitter), or beats were more than"
            f" {CAP_FACTOR} x {interval} s apart (the per-beat cap): the server fell behind"
        )
    return "ok: every learner was credited what it played (within 0.5 s + 2%), never more"


def scaling_bound(phases: dict, options, cores: int) -> dict:
    """The ratio of beats per second on 2 processes to 1, what held each back, and what
    the CPU per beat predicts for this machine when nothing else runs on it."""
    one, two = phases["1 web process"], phases["2 web processes"]
    ratio = two["per_second"] / one["per_second"] if one["per_second"] else float("nan")
    lines = []
    for name, phase, processes in (("1 process", one, 1), ("2 processes", two, 2)):
        used = phase["cores"]
        busy = sum(used.values())
        workers_can = min(processes * options.workers, cores)  # a sync worker: one core
        if used["workers"] >= 0.8 * workers_can:
            why = (
                f"its sync worker(s) were busy {used['workers']} of the {workers_can} cores "
                "they can use (one request at a time each): the web processes bound it"
            )
        elif busy >= 0.85 * cores and used["other"] > 0.2:
            why = (
                f"the {cores} cores were full ({busy:.2f}) and other processes took "
                f"{used['other']} of them: the web side got the share of CPU the kernel gave "
                "its processes (more runnable web processes get a larger share)"
            )
        elif busy >= 0.85 * cores:
            why = (
                f"the {cores} cores were full ({busy:.2f}: workers {used['workers']}, "
                f"PostgreSQL {used['postgres']}, load generator {used['loadgen']})"
            )
        else:
            why = (
                f"neither the workers ({used['workers']} of {workers_can} cores) nor the "
                f"machine ({busy:.2f} of {cores}) was saturated: waiting bounds it (database "
                "round trips, row locks, the load generator)"
            )
        lines.append(f"{name}: {phase['per_second']} beats/s; {why}")
    # Quiet-machine estimate: a sync worker spends worker_ms of one core per beat; a beat
    # costs total_ms of CPU in all (workers, PostgreSQL, load generator) out of the cores.
    cost = two["cpu_ms_per_request"]
    worker_ms, total_ms = cost["workers"], sum(cost.values())
    estimate = {}
    if worker_ms and total_ms:
        for processes in (1, 2):
            estimate[processes] = min(
                1000 * processes * options.workers / worker_ms, 1000 * cores / total_ms
            )
        lines.append(
            f"quiet {cores}-core estimate from the CPU per beat ({worker_ms} ms in a worker, "
            f"{total_ms:.2f} ms in all): 1 process <= {estimate[1]:.0f} beats/s "
            f"({'its worker(s)' if estimate[1] < 1000 * cores / total_ms else 'the cores'}), "
            f"2 processes <= {estimate[2]:.0f} beats/s "
            f"({'their workers' if estimate[2] < 1000 * cores / total_ms else 'the cores'}, "
            f"PostgreSQL and the load generator included): ratio <= "
            f"{estimate[2] / estimate[1]:.2f}"
        )
    return {
        "ratio": round(ratio, 3),
        "quiet_estimate_beats_per_s": {k: round(v, 1) for k, v in estimate.items()},
        "bounds": lines,
    }


def render_scaling(result: dict, options) -> str:
    phases, credit = result["phases"], result["credit"]
    lines = [
        f"Heartbeats on 1 and on 2 web processes: {options.learners} learners sending "
        f"saturated beats (LMS_HEARTBEAT_SECONDS={options.interval}); each process is gunicorn "
        f"with {options.workers} sync worker(s); {result['postgres']}; "
        f"{options.rounds} alternating slices of each, {options.seconds:.0f} s in all",
        f"machine: {result['cores']} cores shared by the web processes, PostgreSQL, this load "
        f"generator and anything else running; logins took {result['login_seconds']} s",
        "",
        f"{'processes':<20}{'beats/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'fail':>6}"
        f"   cores: {'workers':>7}{'pg':>6}{'loadgen':>8}{'other':>6}",
    ]
    for name, phase in phases.items():
        cores = phase["cores"]
        lines.append(
            f"{name:<20}{phase['per_second']:>8}{phase['p50_ms']:>9}{phase['p99_ms']:>9}"
            f"{phase['max_ms']:>9}{sum(phase['failures'].values()):>6}"
            f"          {cores['workers']:>7}{cores['postgres']:>6}{cores['loadgen']:>8}"
            f"{cores['other']:>6}"
        )
    busiest = max(phase["cores"]["other"] for phase in phases.values())
    if busiest > 0.2:
        lines.append(
            f"WARNING: other processes used up to {busiest} of the {result['cores']} cores"
            " during the run; the figures are lower than on a quiet machine"
        )
    lines += [
        "",
        f"scaling ratio, 2 processes / 1: {result['scaling']['ratio']} (2.0 would be linear)",
        *(f"  {line}" for line in result["scaling"]["bounds"]),
        "",
        f"credited: {credit['learners']} learners played {credit['played_seconds']} s, credited "
        f"{credit['credited_seconds']} s; rollups vs the rule recomputed from raw beats: max gap "
        f"{credit['max_rule_gap_seconds']} s; verdict: {result['credit_verdict']}",
    ]
    return "\n".join(lines)


def aims(result: dict) -> list[str]:
    """Issue #20's aims for heartbeats, each beside what this run measured."""
    verdict, probe = result["analysis"], result["probe"]
    beats = result["phases"]["saturated heartbeats"]
    ratio = verdict["throughput_ratio"]
    refused = sum(beats["failures"].values())
    checkouts, round_trips = probe["beat_checkouts"], probe["beat_round_trips"]

    def met(ok: bool) -> str:
        return "met" if ok else "NOT met"

    return [
        "aims (issue #20):",
        f"  heartbeat / healthz throughput, saturated: {ratio} (aim >= 0.5): {met(ratio >= 0.5)}"
        f"; accepted beats only, {refused} refused or failed",
        f"  1,000 beats/s on 2 cores: {beats['per_second']} beats/s measured "
        f"({verdict['ambition_factor_measured']}x short), ~"
        f"{verdict['beats_per_s_dedicated_2_cores']} on 2 dedicated cores at "
        f"{verdict['server_cpu_ms_per_beat']} ms server CPU per beat: "
        f"{met(beats['per_second'] >= AMBITION_BEATS)}",
        f"  one transaction per beat: {checkouts} connection checkout(s), "
        f"{probe['beat_commits']} commit(s): {met(checkouts == 1 and probe['beat_commits'] == 1)}",
        f"  <= 3 round trips per beat: {round_trips} on the wire (BEGIN, COMMIT and pings "
        f"included): {met(round_trips <= 3)}",
        f"  correctness: {result['credit_verdict']}",
    ]
