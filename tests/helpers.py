"""Helpers tests of several domains share: waiting for a condition, a free port, reading
a QR code."""

import base64
import io
import socket
import time


def wait_for(condition, timeout=60.0, interval=0.1, message="condition"):
    """Poll ``condition`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {message}")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def decode_qr(data_uri: str) -> str:
    """The text of the QR code in a PNG data URI, read with zxing-cpp."""
    import zxingcpp
    from PIL import Image

    header, _, encoded = data_uri.partition(",")
    assert header == "data:image/png;base64"
    image = Image.open(io.BytesIO(base64.b64decode(encoded)))
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1
    return results[0].text
