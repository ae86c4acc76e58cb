"""A real Ralph LRS (ralph-malph) for the tests: its own virtual environment (its pins
clash with the project's, see README), started on a free port with its own auth file
and a file-system backend, and its validator."""

import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request
from base64 import b64encode
from pathlib import Path

import pytest

from tests.helpers import free_port, wait_for

# scripts/setup.sh test makes it beside the project's environment (.venv-ralph beside
# .venv); LMS_TEST_RALPH_VENV names another.
RALPH_VENV = Path(os.environ.get("LMS_TEST_RALPH_VENV") or f"{sys.prefix}-ralph")
RALPH = RALPH_VENV / "bin" / "ralph"
USERNAME, PASSWORD = "lms", "lrs-test-password"


def need_ralph():
    if not RALPH.exists():
        pytest.skip(f"Ralph is not installed at {RALPH_VENV} (scripts/setup.sh test makes it)")


def _env(workdir: Path) -> dict:
    return {
        **os.environ,
        "RALPH_APP_DIR": str(workdir / "app"),
        "RALPH_AUTH_FILE": str(workdir / "auth.json"),
        "RALPH_RUNSERVER_BACKEND": "fs",
        "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(workdir / "data"),
    }


def validate(statements: list[dict]) -> str:
    """`ralph validate -f xapi` over the statements; its log (which counts the invalid)."""
    need_ralph()
    lines = "".join(json.dumps(statement) + "\n" for statement in statements)
    result = subprocess.run(
        [str(RALPH), "validate", "-f", "xapi", "-I"],
        input=lines,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.stderr


_BASE_MODEL = """
import json, sys
from ralph.models.xapi.base.statements import BaseXapiStatement
bad = []
for line in sys.stdin:
    try:
        BaseXapiStatement.model_validate(json.loads(line))
    except Exception as error:
        bad.append(str(error))
print(json.dumps(bad))
"""


def invalid_under_base_model(statements: list[dict]) -> list[str]:
    """The errors of Ralph's generic statement model (what its LRS checks on POST)."""
    need_ralph()
    lines = "".join(json.dumps(statement) + "\n" for statement in statements)
    result = subprocess.run(
        [str(RALPH_VENV / "bin" / "python"), "-c", _BASE_MODEL],
        input=lines,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout)


# What `ralph runserver -b fs` runs (Ralph's API under uvicorn, the file-system backend),
# without its auto-reloader, and with one change: that backend, made for development,
# creates its statements file on a POST and refuses every later POST ("already exists
# and overwrite is not allowed"); here it appends, as a real store keeps statements.
_SERVE = """
import sys
import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.data.fs import FSDataBackend

FSDataBackend.default_operation_type = BaseOperationType.APPEND
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="info")
"""


@functools.cache
def _auth_file() -> Path:
    """`ralph auth` (1.5 s of Python start-up) once per test process: the same account for
    every LRS of the process."""
    workdir = Path(tempfile.mkdtemp(prefix="ralph-auth-"))
    subprocess.run(
        [
            str(RALPH),
            "auth",
            "-u",
            USERNAME,
            "-p",
            PASSWORD,
            "-s",
            "all",
            "-w",
            "-A",
            "lms-forwarder",
            "http://127.0.0.1",
        ],
        env=_env(workdir),
        capture_output=True,
        check=True,
        timeout=120,
    )
    return workdir / "auth.json"


class RalphLrs:
    """Ralph's LRS on the file-system backend, stoppable and restartable on the same port
    and data."""

    def __init__(self, workdir: Path):
        need_ralph()
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/xAPI"
        self.process = None
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "data").mkdir(exist_ok=True)
        shutil.copy(_auth_file(), workdir / "auth.json")

    def start(self):
        log = open(self.workdir / "ralph.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [str(RALPH_VENV / "bin" / "python"), "-c", _SERVE, str(self.port)],
            env=_env(self.workdir),
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.workdir,
            start_new_session=True,
        )
        wait_for(self._answers, timeout=120, message="Ralph to answer")
        return self

    def _answers(self):
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=2
            ) as response:
                return response.status == 200
        except OSError:
            return False

    def stop(self):
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=60)
            self.process = None

    def statements(self) -> list[dict]:
        """Every statement the LRS holds, following its "more" links."""
        found, path = [], "/xAPI/statements?limit=500"
        token = b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
        while path:
            request = urllib.request.Request(
                f"http://127.0.0.1:{self.port}{path}",
                headers={"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"},
            )
            with urllib.request.urlopen(request, timeout=30) as response:
                page = json.loads(response.read())
            found += page["statements"]
            path = page.get("more") or ""
        return found

    def settings(self) -> dict:
        return {
            "LMS_XAPI_LRS_URL": self.url,
            "LMS_XAPI_LRS_USERNAME": USERNAME,
            "LMS_XAPI_LRS_PASSWORD": PASSWORD,
        }
