"""Upload benchmark: files through the real tus endpoint on loopback (not part of the tests).

For each size (default 256 MiB and 1 GiB) and each way of sending, the app is started in a
subprocess of its own (werkzeug, SQLite, local storage, no job worker) and a file of
random bytes is uploaded:

- "tus chunks": tuspy in the chunk size the server advertises (what the browser does);
- "one PATCH": the whole file in one streamed request (tus-js-client's default).

Throughput is given as a ratio to a plain copy (shutil.copyfile) of the same bytes on the
same disk in the same run; memory is the server process's peak resident set (VmHWM),
which should stay flat whatever the file's size.

    .venv/bin/python benchmarks/upload.py [--sizes 256,1024] [--dir /tmp]

``upload.py serve INSTANCE`` is the server side (started by the benchmark itself).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MiB = 2**20
TUS = {"Tus-Resumable": "1.0.0"}


def serve(instance: str) -> None:
    """Migrate, make a teacher, print its session and the port, then serve."""
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from lms import create_app
    from lms.accounts.services import NewUser, create_user, record_consent, upsert_town
    from lms.extensions import db
    from lms.media.uploads import register_upload_purpose

    environ = {
        "LMS_INSTANCE_PATH": instance,
        "LMS_SECRET_KEY": "benchmark",
        "LMS_EMBEDDED_WORKER": "0",  # no transcode of random bytes
        "LMS_MAX_UPLOAD_MB": "8192",
    }
    app = create_app(environ=environ)
    register_upload_purpose("benchmark", lambda user, ident: True, lambda upload, asset: None)
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
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(
        json.dumps(
            {
                "port": server.server_port,
                "cookie": f"session={client.get_cookie('session').value}",
                "csrf": token,
            }
        ),
        flush=True,
    )
    server.serve_forever()


def memory_kib(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


def start_server(instance: Path) -> tuple[subprocess.Popen, dict]:
    process = subprocess.Popen(
        [sys.executable, __file__, "serve", str(instance)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    return process, json.loads(process.stdout.readline())


def metadata(filename: str) -> str:
    import base64

    pairs = (("filename", filename), ("purpose", "benchmark:1"))
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in pairs)


def upload_in_chunks(base: str, headers: dict, source: Path) -> str:
    from tusclient import client as tus

    chunk = int(__import__("requests").options(f"{base}/api/v1/uploads").headers["Lms-Chunk-Size"])
    uploader = tus.TusClient(f"{base}/api/v1/uploads", headers=headers).uploader(
        str(source),
        chunk_size=chunk,
        metadata={"filename": source.name, "purpose": "benchmark:1"},
    )
    uploader.upload()
    return uploader.url


def upload_in_one_request(base: str, headers: dict, source: Path) -> str:
    import requests

    created = requests.post(
        f"{base}/api/v1/uploads",
        headers={
            **TUS,
            **headers,
            "Upload-Length": str(source.stat().st_size),
            "Upload-Metadata": metadata(source.name),
        },
    )
    created.raise_for_status()
    url = created.headers["Location"]
    with source.open("rb") as body:
        response = requests.patch(
            url,
            data=body,
            headers={
                **TUS,
                **headers,
                "Upload-Offset": "0",
                "Content-Type": "application/offset+octet-stream",
                "Content-Length": str(source.stat().st_size),
            },
        )
    response.raise_for_status()
    return url


MODES = {"tus chunks": upload_in_chunks, "one PATCH": upload_in_one_request}


def make_random_file(path: Path, size: int) -> None:
    with path.open("wb") as file:
        for _ in range(size // (8 * MiB)):
            file.write(os.urandom(8 * MiB))
        file.write(os.urandom(size % (8 * MiB)))


def measure(folder: Path, size_mib: int) -> list[dict]:
    size = size_mib * MiB
    source = folder / f"source-{size_mib}.mp4"
    make_random_file(source, size)
    results = []
    try:
        started = time.perf_counter()
        shutil.copyfile(source, folder / "copy.bin")
        copy_seconds = time.perf_counter() - started
        (folder / "copy.bin").unlink()
        for mode, upload in MODES.items():
            instance = folder / f"instance-{size_mib}-{mode.replace(' ', '-')}"
            process, login = start_server(instance)
            try:
                idle = memory_kib(process.pid)["VmRSS"]
                headers = {"Cookie": login["cookie"], "X-CSRFToken": login["csrf"]}
                started = time.perf_counter()
                upload(f"http://127.0.0.1:{login['port']}", headers, source)
                seconds = time.perf_counter() - started
                peak = memory_kib(process.pid)["VmHWM"]
            finally:
                process.terminate()
                process.wait(timeout=30)
            stored = list((instance / "media" / "sources").rglob("source.mp4"))
            assert len(stored) == 1 and stored[0].stat().st_size == size, stored
            shutil.rmtree(instance)
            results.append(
                {
                    "size_mib": size_mib,
                    "mode": mode,
                    "upload_mib_s": round(size_mib / seconds, 1),
                    "copy_mib_s": round(size_mib / copy_seconds, 1),
                    "ratio_to_copy": round(copy_seconds / seconds, 3),
                    "server_idle_rss_mib": round(idle / 1024, 1),
                    "server_peak_rss_mib": round(peak / 1024, 1),
                }
            )
    finally:
        source.unlink(missing_ok=True)
    return results


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "serve":
        serve(sys.argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="256,1024", help="file sizes in MiB")
    parser.add_argument("--dir", default=tempfile.gettempdir(), help="where files go")
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lms-upload-bench-", dir=options.dir))
    try:
        results = [r for s in options.sizes.split(",") for r in measure(folder, int(s))]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{'size':>6} {'mode':<11} {'MiB/s':>7} {'copy MiB/s':>10} {'ratio':>6} "
          f"{'idle RSS':>9} {'peak RSS':>9}")  # fmt: skip
    for r in results:
        print(
            f"{r['size_mib']:>5}M {r['mode']:<11} {r['upload_mib_s']:>7} {r['copy_mib_s']:>10} "
            f"{r['ratio_to_copy']:>6} {r['server_idle_rss_mib']:>8}M {r['server_peak_rss_mib']:>8}M"
        )
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
