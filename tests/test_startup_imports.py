"""What a serving process holds: the libraries only some requests need stay unimported.

Each of these costs megabytes in every web process (openpyxl with lxml ~13 MiB, boto3
~8 MiB and an S3 client ~15 MiB more, cryptography ~6 MiB, pyld ~6 MiB, Pillow ~4 MiB,
Celery's signals ~4 MiB); they are imported where a spreadsheet, an S3 object, a
signature or an image is made. A module-level import of one of them anywhere the app
imports at start-up fails this test.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ON_USE_ONLY = (
    "boto3",
    "botocore",
    "s3transfer",
    "openpyxl",
    "lxml",
    "PIL",
    "cryptography",
    "pyld",
    "celery",
    "kombu",
)

# A teacher's first pages and a tus OPTIONS, as the upload benchmark's server serves them;
# the schema comes from the models (create_all) so that no migration runs in the process.
SCRIPT = """
import json, sys
from lms import create_app
from lms.accounts.services import NewUser, create_user, record_consent, upsert_town
from lms.extensions import db

app = create_app(environ={
    "LMS_INSTANCE_PATH": sys.argv[1],
    "LMS_SECRET_KEY": "test-secret-key",
    "LMS_EMBEDDED_WORKER": "0",
})
with app.app_context():
    db.create_all()
    town = upsert_town("990000001", "测试街道", 1000)
    user = create_user(
        NewUser("teacher", "Teacher", "teacher-password-9", town.code, roles=("teacher",)),
        actor=None,
    )
    record_consent(user)
    db.session.commit()
    user_id = user.get_id()
after_start = sorted({name.split(".")[0] for name in sys.modules})
client = app.test_client()
statuses = [client.get("/login").status_code]
with client.session_transaction() as session:
    session["_user_id"], session["_fresh"] = user_id, True
statuses.append(client.get("/", follow_redirects=True).status_code)
statuses.append(client.options("/api/v1/uploads").status_code)
statuses.append(client.get("/readyz").status_code)
after_requests = sorted({name.split(".")[0] for name in sys.modules})
print(json.dumps({"start": after_start, "requests": after_requests, "statuses": statuses}))
"""


def test_a_serving_process_imports_no_library_that_only_some_requests_need(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    loaded = json.loads(completed.stdout.splitlines()[-1])

    assert loaded["statuses"] == [200, 200, 204, 200]
    assert [name for name in ON_USE_ONLY if name in loaded["start"]] == []
    assert [name for name in ON_USE_ONLY if name in loaded["requests"]] == []
