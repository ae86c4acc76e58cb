"""gunicorn reads ./gunicorn.conf.py on its own (the image runs from /app, where it lies).

Before any worker boots, the master checks the settings and that the database answers:
a wrong one prints one line ("error: ...") and gunicorn exits 2, instead of every worker
printing a traceback. The command line (docker/Dockerfile) keeps every other option.
"""

import os


def on_starting(server):
    from lms.startup_errors import check_before_serving

    check_before_serving(os.environ)
