"""media_pipeline stands alone: importing it (and its CLI) loads neither Flask nor lms."""

import subprocess
import sys


def test_library_imports_neither_flask_nor_lms():
    script = (
        "import sys, media_pipeline, media_pipeline.__main__\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'lms')))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )

    assert completed.stdout.strip() == "[]"
