"""The learning record store's HTTP interface, as much of it as forwarding needs."""

import base64
import json
import urllib.error
import urllib.request

from flask import current_app

VERSION = "1.0.3"


class LrsError(Exception):
    """The LRS did not take the statements (down, refused, or answered an error)."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


def configured() -> bool:
    return bool(current_app.config["LMS_XAPI_LRS_URL"])


def _request(method: str, path: str, body=None, timeout: float = 30) -> bytes:
    config = current_app.config
    url = config["LMS_XAPI_LRS_URL"].rstrip("/") + path
    headers = {"X-Experience-API-Version": VERSION}
    if config["LMS_XAPI_LRS_USERNAME"]:
        pair = f"{config['LMS_XAPI_LRS_USERNAME']}:{config['LMS_XAPI_LRS_PASSWORD'] or ''}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    data = None
    if body is not None:
        data = json.dumps(body, ensure_ascii=False).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.read()
    except urllib.error.HTTPError as error:
        detail = error.read()[:300].decode("utf-8", "replace")
        raise LrsError(f"HTTP {error.code} from {url}: {detail}", error.code) from error
    except (urllib.error.URLError, OSError) as error:
        raise LrsError(f"{url} does not answer: {error}") from error


def post_statements(statements: list[dict]) -> None:
    """POST a batch; statements the LRS already holds, identical, are taken as sent."""
    _request("POST", "/statements", statements)


def get_statements(**params) -> dict:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return json.loads(_request("GET", "/statements" + (f"?{query}" if query else "")))


def check() -> None:
    """Raise LrsError unless the LRS answers a statements query with these credentials."""
    get_statements(limit=1)
