"""Helpers of the operations tests: free ports, waiting for a listener, the CLI."""

import socket
import time

from tests.helpers import free_port  # noqa: F401  (the ops tests import it from here)


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port} after {timeout} s")


def run_cli(app, *args):
    return app.test_cli_runner().invoke(args=["lms", *args])
