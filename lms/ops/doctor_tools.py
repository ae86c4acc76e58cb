"""`flask lms doctor`'s check of ffmpeg and ffprobe: installed, and held to the
pipeline's format and protocol whitelists."""

import shutil
import subprocess
import tempfile
from pathlib import Path

from lms.ops.findings import FAIL, OK, WARN, Finding

# A playlist named .mp4: with the pipeline's whitelists ffmpeg must refuse to open it.
DISGUISED_PLAYLIST = "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile:/etc/hostname\n"


def check_ffmpeg() -> list[Finding]:
    from media_pipeline.probe import FORMAT_WHITELIST, PROTOCOL_WHITELIST

    findings = []
    with tempfile.TemporaryDirectory() as work:
        disguised = Path(work) / "disguised.mp4"
        disguised.write_text(DISGUISED_PLAYLIST)
        whitelist = [
            "-format_whitelist",
            FORMAT_WHITELIST,
            "-protocol_whitelist",
            PROTOCOL_WHITELIST,
        ]
        runs = {
            "ffprobe": [*whitelist, "-i", f"file:{disguised}"],
            "ffmpeg": ["-nostdin", *whitelist, "-i", f"file:{disguised}", "-f", "null", "-"],
        }
        for name, args in runs.items():
            findings.append(_check_binary(name, args))
    return findings


def _check_binary(name: str, whitelist_args: list[str]) -> Finding:
    binary = shutil.which(name)
    if binary is None:
        return Finding(FAIL, name, f"{name} is not installed (Debian: apt-get install ffmpeg)")
    version = _run([binary, "-hide_banner", "-version"]).stdout.splitlines()
    version = version[0].split(" Copyright")[0] if version else "unknown version"
    refused = _run([binary, "-hide_banner", "-v", "error", *whitelist_args])
    if "Option not found" in refused.stderr or "Unrecognized option" in refused.stderr:
        return Finding(FAIL, name, f"{version}: does not support -format_whitelist")
    if refused.returncode == 0 or "not on whitelist" not in refused.stderr:
        return Finding(FAIL, name, f"{version}: opened a playlist disguised as .mp4")
    return Finding(OK, name, f"{version}; -format_whitelist and -protocol_whitelist work")


def _run(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30, check=False
    )


def check_lrs() -> list[Finding]:
    """The learning record store the xAPI statements go to answers, with our credentials;
    and the forwarding is not stuck behind failures."""
    from flask import current_app

    from lms.extensions import db
    from lms.xapi import lrs
    from lms.xapi.models import XapiForwarding

    url = current_app.config["LMS_XAPI_LRS_URL"]
    if not url:
        return [Finding(OK, "LRS", "none: xAPI statements are not forwarded")]
    try:
        lrs.check()
    except lrs.LrsError as error:
        return [Finding(FAIL, "LRS", str(error))]
    findings = [Finding(OK, "LRS", f"{url} answers a statements query")]
    state = db.session.get(XapiForwarding, "lrs")
    if state is not None and state.failures:
        findings.append(
            Finding(
                WARN,
                "LRS",
                f"forwarding failed {state.failures} times in a row, last: {state.last_error}",
            )
        )
    return findings
