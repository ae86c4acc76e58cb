"""Upload benchmark: files through the real tus endpoint on loopback (not part of the tests).

For each size (default 256 MiB and 1 GiB) and each storage, one instance (SQLite, no job
worker) is set up in a process of its own, then served by werkzeug (threaded, what the
tests use) and by gunicorn (gthread, the production server: docker/Dockerfile), each in
its own process. The client is a minimal tus client on one keep-alive connection that
sends each chunk of the size the server advertises (8 MiB, what the browser sends) with
``sendfile``, as a browser sends a file: no Python copies on the client's side, so the
figure is the server's.

- "local": against a plain copy (shutil.copyfile, the page cache) of the same bytes on
  the same disk in the same run; beside it "bare", the ceiling of any Python server: the
  same bytes in the same chunks over one loopback connection, read into a reused buffer
  with recv_into and written with pwrite, with no HTTP and no framework; "splice", the
  same moved by the kernel from the socket through a pipe into the file (what the app
  does under werkzeug and gunicorn); and "tcp", recv_into without the disk (loopback TCP
  alone). Beside each server, "<server>×2": the file's two halves sent at once as two
  uploads, each on a connection of its own (what a tus client's ``parallelUploads: 2``
  sends before the server joins the parts: its upper bound), and "<server>×2+join" with
  the time the server would then take to join them (the second half appended to the
  first with copy_file_range, in the kernel);
- "s3": the server streams each chunk as a multipart part to a moto S3 server (its own
  process on loopback), against a direct boto3 multipart upload of the same file in the
  same part size to the same moto server in the same run.

On a machine of two CPUs or more, the client (this process) runs on the first and every
server under test on the others, as a browser sends from another machine; moto may run
on any. On shared CPUs the scheduler at times ran a server beside its client (a woken
receiver goes to its waker's CPU), which cost a third to a half of the throughput, at
random, for as long as it lasted. The machine is shared, so every measurement is
repeated (``--repeat``, interleaved) and the fastest of each kind is compared with the
fastest baseline. Memory is the serving process's resident set: idle after start-up, and
its peak (VmHWM, reset once the server is up, so start-up does not count) over every
upload. Server CPU is the serving process's user + system seconds per upload. The aims
(issue 18): the upload ≥ 0.5 of the baseline's throughput at 1 GiB, peak RSS < 150 MiB
at every size. Record ``uptime`` beside the figures.

    .venv/bin/python benchmarks/upload.py [--sizes 256,1024] [--storage local,s3]
        [--servers werkzeug,gunicorn] [--repeat 3] [--dir /tmp]
    .venv/bin/python benchmarks/upload.py --smoke   # 16 MiB, both storages: does it run?

``upload.py setup|serve|bare ...`` are the server sides (started by the benchmark itself).
"""

from __future__ import annotations

import argparse
import base64
import fcntl
import filecmp
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MiB = 2**20
AIM_RATIO, AIM_SIZE_MIB, AIM_PEAK_RSS_MIB = 0.5, 1024, 150
SERVERS = ("werkzeug", "gunicorn")
CEILINGS = ("bare", "splice", "tcp")  # a Python server without HTTP: recv+write, splice, recv


def app_environ(instance: str, settings: dict) -> dict:
    return {
        "LMS_INSTANCE_PATH": instance,
        "LMS_SECRET_KEY": "benchmark",
        "LMS_EMBEDDED_WORKER": "0",  # no transcode of random bytes
        "LMS_MAX_UPLOAD_MB": "8192",
        **settings,
    }


def benchmark_app(environ=None):
    """The app with the benchmark's upload purpose (also gunicorn's app factory)."""
    from lms import create_app
    from lms.media.uploads import register_upload_purpose

    app = create_app(environ=environ)
    register_upload_purpose("benchmark", lambda user, ident: True, lambda upload, asset: None)
    return app


def setup(instance: str, settings: str) -> None:
    """Migrate, make a teacher, print its session cookie and a CSRF token."""
    from flask_migrate import upgrade

    from lms.accounts.services import NewUser, create_user, record_consent, upsert_town
    from lms.extensions import db

    app = benchmark_app(app_environ(instance, json.loads(settings)))
    storage = app.extensions["lms_storage"]
    if hasattr(storage, "ensure_bucket"):
        storage.ensure_bucket()
    with app.app_context():
        upgrade()
        town = upsert_town("990000001", "基准街道", 1000)
        user = create_user(
            NewUser("bench", "Bench", "bench-password-9", town.code, roles=("teacher",)),
            actor=None,
        )
        record_consent(user)  # the privacy notice, as at a first log-in
        db.session.commit()
        session_id = user.get_id()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = session_id, True
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    token = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    cookie = f"session={client.get_cookie('session').value}"
    print(json.dumps({"cookie": cookie, "csrf": token}), flush=True)


def serve(instance: str, settings: str, port: str) -> None:
    from werkzeug.serving import make_server

    app = benchmark_app(app_environ(instance, json.loads(settings)))
    make_server("127.0.0.1", int(port), app, threaded=True).serve_forever()


def bare(port: str, folder: str, write: str = "write") -> None:
    """The ceiling: chunks of "<length>\\n<bytes>" read into a reused buffer and written
    with pwrite ("write"), spliced through a pipe ("splice"), or only read ("read-only");
    a line "<end>\\n" answers each chunk."""
    listener = socket.create_server(("127.0.0.1", int(port)))
    buffer = memoryview(bytearray(MiB))
    pipe_out, pipe_in = os.pipe()
    fcntl.fcntl(pipe_in, getattr(fcntl, "F_SETPIPE_SZ", 1031), MiB)
    while True:
        connection, _ = listener.accept()
        with connection, connection.makefile("rb", buffering=0) as raw:
            position, fd = 0, None
            while line := _read_line(raw):
                if fd is None and write != "read-only":  # not at accept: wait_for_port connects
                    fd = os.open(Path(folder) / "bare.bin", os.O_WRONLY | os.O_CREAT)
                end = position + int(line)
                while position < end:
                    if write == "splice":
                        received = os.splice(connection.fileno(), pipe_in, min(MiB, end - position))
                        moved = 0
                        while moved < received:
                            at = position + moved
                            moved += os.splice(pipe_out, fd, received - moved, offset_dst=at)
                    else:
                        received = raw.readinto(buffer[: min(len(buffer), end - position)])
                    if not received:
                        break
                    if write == "write":
                        os.pwrite(fd, buffer[:received], position)
                    position += received
                connection.sendall(f"{position}\n".encode())
            if fd is not None:
                os.close(fd)


def _read_line(raw) -> bytes:
    line = b""
    while not line.endswith(b"\n"):
        byte = raw.read(1)
        if not byte:
            return b""
        line += byte
    return line.strip()


# The client side.


def split_cpus() -> tuple[set[int], set[int]]:
    """(the client's CPUs, the servers' CPUs): the first and the rest, when there are two."""
    cpus = sorted(os.sched_getaffinity(0))
    return ({cpus[0]}, set(cpus[1:])) if len(cpus) > 1 else (set(cpus), set(cpus))


CLIENT_CPUS, SERVER_CPUS = split_cpus()


def run_on_server_cpus() -> None:
    os.sched_setaffinity(0, SERVER_CPUS)  # in the server's process, before it starts


def run_on_any_cpu() -> None:
    os.sched_setaffinity(0, CLIENT_CPUS | SERVER_CPUS)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise RuntimeError(f"the server exited:\n{log.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"the server did not start:\n{log.read_text()[-3000:]}")


class Server:
    """A serving process (werkzeug, gunicorn's worker, or the bare ceiling)."""

    def __init__(self, kind: str, instance: Path, settings: dict, folder: Path):
        self.kind, self.port = kind, free_port()
        self.log = folder / f"{kind}.log"
        environ = {**os.environ, "PYTHONPATH": str(ROOT)}
        if kind == "werkzeug":
            command = [sys.executable, __file__, "serve", str(instance), json.dumps(settings)]
            command.append(str(self.port))
        elif kind == "gunicorn":
            environ.update(app_environ(str(instance), settings))
            command = [
                str(Path(sys.executable).parent / "gunicorn"),
                *("--workers", "1", "--worker-class", "gthread", "--threads", "8"),
                *("--keep-alive", "5", "--timeout", "300", "--no-control-socket"),
                *("--bind", f"127.0.0.1:{self.port}"),
                "benchmarks.upload:benchmark_app()",
            ]
        else:
            mode = {"bare": "write", "splice": "splice", "tcp": "read-only"}[kind]
            command = [sys.executable, __file__, "bare", str(self.port), str(folder), mode]
        with self.log.open("w") as errors:
            self.process = subprocess.Popen(
                command,
                stdout=subprocess.DEVNULL,
                stderr=errors,
                cwd=ROOT,
                env=environ,
                preexec_fn=run_on_server_cpus,
            )
        wait_for_port(self.port, self.process, self.log)
        if kind in SERVERS:  # gunicorn's worker loads the app after the port is open
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            connection.request("GET", "/healthz")
            assert connection.getresponse().status == 200
            connection.close()
        self.pid = self.process.pid
        if kind == "gunicorn":  # the worker serves; the master only watches it
            children = Path(f"/proc/{self.pid}/task/{self.pid}/children")
            for _ in range(200):
                if pids := children.read_text().split():
                    self.pid = int(pids[0])
                    break
                time.sleep(0.05)
        self.idle_kib = memory_kib(self.pid)["VmRSS"]
        self.startup_peak_kib = memory_kib(self.pid)["VmHWM"]
        Path(f"/proc/{self.pid}/clear_refs").write_text("5")  # VmHWM from here on

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def memory_kib(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


def tus_upload(port: int, source: Path, headers: dict) -> None:
    """Create the upload, then PATCH the chunks on one keep-alive connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    connection.request("OPTIONS", "/api/v1/uploads")
    response = connection.getresponse()
    response.read()
    chunk = int(response.headers["Lms-Chunk-Size"])
    size = source.stat().st_size
    pairs = (("filename", source.name), ("purpose", "benchmark:1"))
    metadata = ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in pairs)
    tus = {**headers, "Tus-Resumable": "1.0.0"}
    connection.request(
        "POST",
        "/api/v1/uploads",
        headers={**tus, "Upload-Length": str(size), "Upload-Metadata": metadata},
    )
    response = connection.getresponse()
    response.read()
    assert response.status == 201, (response.status, response.headers)
    path = urlsplit(response.headers["Location"]).path
    offset = 0
    with source.open("rb") as file:
        while offset < size:
            length = min(chunk, size - offset)
            connection.putrequest("PATCH", path, skip_accept_encoding=True)
            for name, value in {
                **tus,
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
                "Content-Length": str(length),
            }.items():
                connection.putheader(name, value)
            connection.endheaders()
            assert connection.sock.sendfile(file, offset, length) == length
            response = connection.getresponse()
            body = response.read()
            assert response.status == 204, (response.status, body[:500])
            offset = int(response.headers["Upload-Offset"])
    connection.close()


def halves_upload(port: int, halves: list[Path], headers: dict) -> None:
    """Both halves at once, as two uploads on two connections."""
    with ThreadPoolExecutor(len(halves)) as pool:
        for sent in [pool.submit(tus_upload, port, half, headers) for half in halves]:
            sent.result()


def split_in_halves(source: Path, folder: Path) -> list[Path]:
    size, halves = source.stat().st_size, [folder / "half-1.mp4", folder / "half-2.mp4"]
    with source.open("rb") as whole:
        for half, (start, end) in zip(halves, ((0, size // 2), (size // 2, size)), strict=True):
            with half.open("wb") as out:
                while start < end:
                    start += os.copy_file_range(whole.fileno(), out.fileno(), end - start, start)
    return halves


def join_halves(halves: list[Path], folder: Path) -> float:
    """Seconds to append the second half to (a copy of) the first with copy_file_range."""
    joined = folder / "joined.bin"
    shutil.copyfile(halves[0], joined)
    os.sync()
    warm_memory(halves[1])
    started = time.perf_counter()
    with joined.open("r+b") as out, halves[1].open("rb") as second:
        at, left = joined.stat().st_size, halves[1].stat().st_size
        while left:
            moved = os.copy_file_range(second.fileno(), out.fileno(), left, None, at)
            at, left = at + moved, left - moved
    seconds = time.perf_counter() - started
    joined.unlink()
    return seconds


def bare_upload(port: int, source: Path) -> None:
    size = source.stat().st_size
    with socket.create_connection(("127.0.0.1", port)) as connection, source.open("rb") as file:
        replies = connection.makefile("rb")
        for offset in range(0, size, 8 * MiB):
            length = min(8 * MiB, size - offset)
            connection.sendall(f"{length}\n".encode())
            assert connection.sendfile(file, offset, length) == length
            assert int(replies.readline()) == offset + length


def start_moto(folder: Path) -> tuple[subprocess.Popen, str]:
    """moto's S3 server in a process of its own on a free loopback port."""
    port = free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=folder,
        preexec_fn=run_on_any_cpu,
    )
    wait_for_port(port, process, Path(os.devnull))
    return process, f"http://127.0.0.1:{port}"


def s3_settings(endpoint: str, bucket: str) -> dict:
    return {
        "LMS_STORAGE": "s3",
        "LMS_S3_ENDPOINT_URL": endpoint,
        "LMS_S3_BUCKET": bucket,
        "LMS_S3_REGION": "us-east-1",
        "LMS_S3_ACCESS_KEY_ID": "testing",
        "LMS_S3_SECRET_ACCESS_KEY": "testing",
    }


def direct_multipart(endpoint: str, bucket: str, source: Path, part_size: int) -> None:
    """What boto3 alone does with the file: a multipart upload, part after part."""
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    if bucket not in [b["Name"] for b in client.list_buckets()["Buckets"]]:
        client.create_bucket(Bucket=bucket)
    upload = client.create_multipart_upload(Bucket=bucket, Key="direct.mp4")["UploadId"]
    parts = []
    with source.open("rb") as file:
        number = 1
        while block := file.read(part_size):
            etag = client.upload_part(
                Bucket=bucket, Key="direct.mp4", UploadId=upload, PartNumber=number, Body=block
            )["ETag"]
            parts.append({"PartNumber": number, "ETag": etag})
            number += 1
    client.complete_multipart_upload(
        Bucket=bucket, Key="direct.mp4", UploadId=upload, MultipartUpload={"Parts": parts}
    )
    client.delete_object(Bucket=bucket, Key="direct.mp4")


def make_random_file(path: Path, size: int) -> None:
    with path.open("wb") as file:
        for _ in range(size // (8 * MiB)):
            file.write(os.urandom(8 * MiB))
        file.write(os.urandom(size % (8 * MiB)))


def timed(action, source: Path) -> float:
    os.sync()  # every measurement starts with nothing left to write back
    warm_memory(source)
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def warm_memory(source: Path) -> None:
    """Copy ``source`` once and delete the copy, just before a measurement, so that the
    pages it writes are pages the machine's host still backs.

    A VM with free page reporting (virtio-balloon's REPORTING feature, on here) hands
    memory that stays free for about 2 s back to its host, and the next write to each
    such page faults at the host's pace. A page-cache copy of 1 GiB measured 0.6-1.1
    GiB/s after a 3 s pause and 4.0-4.4 GiB/s right after another copy; the sync before
    each measurement is such a pause. Every measurement, baseline and uploads alike,
    starts from the same warm memory."""
    scratch = source.with_name("warm-up.bin")
    shutil.copyfile(source, scratch)
    scratch.unlink()


def set_up_instance(instance: Path, settings: dict) -> dict:
    instance.mkdir(parents=True)
    completed = subprocess.run(
        [sys.executable, __file__, "setup", str(instance), json.dumps(settings)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if completed.returncode:
        raise RuntimeError(f"setup failed:\n{completed.stderr[-3000:]}")
    login = json.loads(completed.stdout.strip().splitlines()[-1])
    return {"Cookie": login["cookie"], "X-CSRFToken": login["csrf"]}


def measure(folder, size_mib, storage, servers, repeat) -> list[dict]:
    size = size_mib * MiB
    source = folder / f"source-{size_mib}.mp4"
    make_random_file(source, size)
    instance = folder / f"instance-{size_mib}-{storage}"
    settings, moto = {}, None
    started = []
    try:
        if storage == "s3":
            moto, endpoint = start_moto(folder)
            settings = s3_settings(endpoint, f"bench-upload-{size_mib}")
            baseline = lambda: direct_multipart(  # noqa: E731
                endpoint, f"direct-upload-{size_mib}", source, 8 * MiB
            )
        else:
            baseline = lambda: shutil.copyfile(source, folder / "copy.bin")  # noqa: E731
        headers = set_up_instance(instance, settings)
        kinds = [*servers, *(CEILINGS if storage == "local" else ())]
        started = [Server(kind, instance, settings, folder) for kind in kinds]
        halves = split_in_halves(source, folder) if storage == "local" else []
        seconds = {"baseline": [], "join": []}
        cpu, server_of = {}, {}  # by kind of measurement
        for _ in range(repeat):
            seconds["baseline"].append(timed(baseline, source))
            (folder / "copy.bin").unlink(missing_ok=True)
            if halves:
                seconds["join"].append(join_halves(halves, folder))
            for server in started:
                for kind, send, sent in sends(server, source, halves, headers):
                    before = server.cpu_seconds()
                    took = timed(partial(send, server.port, sent), source)
                    seconds.setdefault(kind, []).append(took)
                    cpu.setdefault(kind, []).append(server.cpu_seconds() - before)
                    server_of[kind] = server
                    if kind != "tcp":
                        check_and_delete_stored(instance, folder, storage, source, halves)
        if halves:  # the halves' best time plus the best join: their joined file's
            for pair in [kind for kind in cpu if kind.endswith("×2")]:
                seconds[f"{pair}+join"] = [min(seconds[pair]) + min(seconds["join"])]
                cpu[f"{pair}+join"] = cpu[pair]  # the join's CPU is not counted
                server_of[f"{pair}+join"] = server_of[pair]
        results = []
        for kind, server in server_of.items():
            best, base = min(seconds[kind]), min(seconds["baseline"])
            results.append(
                {
                    "size_mib": size_mib,
                    "storage": storage,
                    "server": kind,
                    "upload_mib_s": round(size_mib / best, 1),
                    "baseline": "page-cache copy" if storage == "local" else "boto3 multipart",
                    "baseline_mib_s": round(size_mib / base, 1),
                    "ratio_to_baseline": round(base / best, 3),
                    "server_cpu_s": round(min(cpu[kind]), 3),
                    "server_idle_rss_mib": round(server.idle_kib / 1024, 1),
                    "server_startup_peak_rss_mib": round(server.startup_peak_kib / 1024, 1),
                    "server_peak_rss_mib": round(memory_kib(server.pid)["VmHWM"] / 1024, 1),
                }
            )
        return results
    finally:
        for server in started:
            server.stop()
        if moto is not None:
            moto.terminate()
            moto.wait(timeout=30)
        source.unlink(missing_ok=True)
        shutil.rmtree(instance, ignore_errors=True)


def sends(server: Server, source: Path, halves: list[Path], headers: dict):
    """(kind, client, what it sends) of each measurement on this server."""
    if server.kind in CEILINGS:
        return [(server.kind, bare_upload, source)]
    upload = partial(tus_upload, headers=headers)
    if not halves:
        return [(server.kind, upload, source)]
    return [
        (server.kind, upload, source),
        (f"{server.kind}×2", partial(halves_upload, headers=headers), halves),
    ]


def check_and_delete_stored(
    instance: Path, folder: Path, storage: str, source: Path, halves: list[Path]
) -> None:
    """Every upload arrived whole and equal to what was sent (the file, or each of its
    halves); its files are deleted so the disk does not fill."""
    if storage != "local":
        return
    stored = [
        *(instance / "media" / "sources").rglob("source.mp4"),
        *folder.glob("bare.bin"),
    ]
    if len(stored) == 1:
        assert filecmp.cmp(stored[0], source, shallow=False), stored
    else:
        assert len(stored) == len(halves), stored
        for half in halves:
            assert any(filecmp.cmp(file, half, shallow=False) for file in stored), half
    for file in stored:
        file.unlink()


def report(results: list[dict], load_before, load_after) -> None:
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    print(f"{'size':>6} {'storage':<7} {'server':<16} {'MiB/s':>7} {'baseline':<15} {'MiB/s':>7} "
          f"{'ratio':>6} {'cpu s':>6} {'idle RSS':>9} {'peak RSS':>9}")  # fmt: skip
    for r in results:
        print(
            f"{r['size_mib']:>5}M {r['storage']:<7} {r['server']:<16} {r['upload_mib_s']:>7} "
            f"{r['baseline']:<15} {r['baseline_mib_s']:>7} {r['ratio_to_baseline']:>6} "
            f"{r['server_cpu_s']:>6} {r['server_idle_rss_mib']:>8}M {r['server_peak_rss_mib']:>8}M"
        )
    for r in results:
        if r["server"] in CEILINGS or r["server"].endswith("×2"):  # not a whole upload
            continue
        verdicts = []
        if r["size_mib"] == AIM_SIZE_MIB:
            met = r["ratio_to_baseline"] >= AIM_RATIO
            verdicts.append(f"ratio >= {AIM_RATIO}: {'met' if met else 'NOT met'}")
        met = r["server_peak_rss_mib"] < AIM_PEAK_RSS_MIB
        verdicts.append(f"peak RSS < {AIM_PEAK_RSS_MIB} MiB: {'met' if met else 'NOT met'}")
        print(f"aim, {r['size_mib']} MiB {r['storage']} {r['server']}: " + "; ".join(verdicts))


def main() -> None:
    commands = {"setup": setup, "serve": serve, "bare": bare}
    if len(sys.argv) > 1 and sys.argv[1] in commands:
        commands[sys.argv[1]](*sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="256,1024", help="file sizes in MiB")
    parser.add_argument("--storage", default="local,s3", help="local, s3 or both")
    parser.add_argument("--servers", default=",".join(SERVERS), help="werkzeug, gunicorn")
    parser.add_argument("--repeat", type=int, default=3, help="measurements of each kind")
    parser.add_argument("--dir", default=tempfile.gettempdir(), help="where files go")
    parser.add_argument("--smoke", action="store_true", help="16 MiB once: does it run?")
    options = parser.parse_args()
    if options.smoke:
        options.sizes, options.repeat = "16", 1
    servers = [s for s in options.servers.split(",") if s in SERVERS]
    folder = Path(tempfile.mkdtemp(prefix="lms-upload-bench-", dir=options.dir))
    os.sched_setaffinity(0, CLIENT_CPUS)
    load_before = os.getloadavg()
    try:
        results = [
            result
            for size in options.sizes.split(",")
            for storage in options.storage.split(",")
            for result in measure(folder, int(size), storage, servers, options.repeat)
        ]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report(results, load_before, os.getloadavg())
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
