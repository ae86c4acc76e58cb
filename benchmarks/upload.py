"""Upload benchmark: files through the real tus endpoint on loopback (not part of the tests).

For each size (default 256 MiB and 1 GiB) and each storage, the app is started in a
subprocess of its own (werkzeug, SQLite, no job worker) and a file of random bytes is
uploaded by tuspy in the chunk size the server advertises (8 MiB, what the browser does):

- "local": against a plain copy (shutil.copyfile, the page cache) of the same bytes on the
  same disk in the same run;
- "s3": the server streams each chunk as a multipart part to a moto S3 server (its own
  process on loopback), against a direct boto3 multipart upload of the same file in the
  same part size to the same moto server in the same run.

(One PATCH of the whole file is no longer possible: MAX_CONTENT_LENGTH is one chunk.)
Memory is the server process's peak resident set (VmHWM), which should stay flat
whatever the file's size. Record ``uptime`` beside the figures: the machine is shared.

    .venv/bin/python benchmarks/upload.py [--sizes 256,1024] [--dir /tmp] [--storage local,s3]
    .venv/bin/python benchmarks/upload.py --smoke   # 16 MiB, both storages: does it run?

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


def serve(instance: str, settings: str = "{}") -> None:
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
        **json.loads(settings),
    }
    app = create_app(environ=environ)
    storage = app.extensions["lms_storage"]
    if hasattr(storage, "ensure_bucket"):
        storage.ensure_bucket()
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


def start_server(instance: Path, settings: dict) -> tuple[subprocess.Popen, dict]:
    log = instance.with_suffix(".log")
    instance.mkdir(parents=True, exist_ok=True)
    with log.open("w") as errors:
        process = subprocess.Popen(
            [sys.executable, __file__, "serve", str(instance), json.dumps(settings)],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            cwd=ROOT,
        )
    line = process.stdout.readline()
    if not line:
        raise RuntimeError(f"the server did not start:\n{log.read_text()[-3000:]}")
    return process, json.loads(line)


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


def start_moto(folder: Path) -> tuple[subprocess.Popen, str]:
    """moto's S3 server in a process of its own on a free loopback port."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=folder,
    )
    endpoint = f"http://127.0.0.1:{port}"
    import requests

    for _ in range(200):
        try:
            requests.get(endpoint, timeout=1)
            return process, endpoint
        except requests.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError("moto_server did not start")


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


def make_random_file(path: Path, size: int) -> None:
    with path.open("wb") as file:
        for _ in range(size // (8 * MiB)):
            file.write(os.urandom(8 * MiB))
        file.write(os.urandom(size % (8 * MiB)))


def measure(folder: Path, size_mib: int, storages: list[str]) -> list[dict]:
    size = size_mib * MiB
    source = folder / f"source-{size_mib}.mp4"
    make_random_file(source, size)
    results = []
    try:
        for storage in storages:
            settings, moto = {}, None
            if storage == "s3":
                moto, endpoint = start_moto(folder)
                settings = s3_settings(endpoint, f"bench-upload-{size_mib}")
            try:
                started = time.perf_counter()
                if storage == "s3":
                    direct_multipart(endpoint, f"direct-upload-{size_mib}", source, 8 * MiB)
                else:
                    shutil.copyfile(source, folder / "copy.bin")
                baseline_seconds = time.perf_counter() - started
                (folder / "copy.bin").unlink(missing_ok=True)
                instance = folder / f"instance-{size_mib}-{storage}"
                process, login = start_server(instance, settings)
                try:
                    idle = memory_kib(process.pid)["VmRSS"]
                    headers = {"Cookie": login["cookie"], "X-CSRFToken": login["csrf"]}
                    started = time.perf_counter()
                    upload_in_chunks(f"http://127.0.0.1:{login['port']}", headers, source)
                    seconds = time.perf_counter() - started
                    peak = memory_kib(process.pid)["VmHWM"]
                finally:
                    process.terminate()
                    process.wait(timeout=30)
                if storage == "local":
                    stored = list((instance / "media" / "sources").rglob("source.mp4"))
                    assert len(stored) == 1 and stored[0].stat().st_size == size, stored
                shutil.rmtree(instance)
            finally:
                if moto is not None:
                    moto.terminate()
                    moto.wait(timeout=30)
            results.append(
                {
                    "size_mib": size_mib,
                    "storage": storage,
                    "upload_mib_s": round(size_mib / seconds, 1),
                    "baseline": "page-cache copy" if storage == "local" else "boto3 multipart",
                    "baseline_mib_s": round(size_mib / baseline_seconds, 1),
                    "ratio_to_baseline": round(baseline_seconds / seconds, 3),
                    "server_idle_rss_mib": round(idle / 1024, 1),
                    "server_peak_rss_mib": round(peak / 1024, 1),
                }
            )
    finally:
        source.unlink(missing_ok=True)
    return results


def main() -> None:
    if len(sys.argv) in (3, 4) and sys.argv[1] == "serve":
        serve(*sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="256,1024", help="file sizes in MiB")
    parser.add_argument("--storage", default="local,s3", help="local, s3 or both")
    parser.add_argument("--dir", default=tempfile.gettempdir(), help="where files go")
    parser.add_argument("--smoke", action="store_true", help="16 MiB only: does it run?")
    options = parser.parse_args()
    if options.smoke:
        options.sizes = "16"
    storages = options.storage.split(",")
    folder = Path(tempfile.mkdtemp(prefix="lms-upload-bench-", dir=options.dir))
    load_before = os.getloadavg()
    try:
        results = [r for s in options.sizes.split(",") for r in measure(folder, int(s), storages)]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f}")
    print(f"{'size':>6} {'storage':<7} {'MiB/s':>7} {'baseline':<15} {'MiB/s':>7} {'ratio':>6} "
          f"{'idle RSS':>9} {'peak RSS':>9}")  # fmt: skip
    for r in results:
        print(
            f"{r['size_mib']:>5}M {r['storage']:<7} {r['upload_mib_s']:>7} {r['baseline']:<15} "
            f"{r['baseline_mib_s']:>7} {r['ratio_to_baseline']:>6} "
            f"{r['server_idle_rss_mib']:>8}M {r['server_peak_rss_mib']:>8}M"
        )
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
