from lms import create_app
from lms.startup_errors import load_app_or_exit

# A wrong setting prints one line ("error: ...") and exits instead of a traceback.
app = load_app_or_exit(create_app)
