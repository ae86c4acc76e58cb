"""docker/: there is no Docker engine here, so the files are checked by parsing them.

compose.yaml is read with PyYAML and its ${...} resolved the way Compose does, with
docker/.env.example standing in for docker/.env; the settings lms/config.py reads are
collected by running load_config on a mapping that records every name asked for.
"""

import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
import yaml

from lms.config import load_config, require_shared_settings, scaled_by
from lms.media.playback import cors_rules

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
SCALED_SERVICES = ("web", "worker", "beat", "migrate")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class RecordingEnviron(dict):
    """A mapping that remembers every name looked up in it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.asked: set[str] = set()

    def get(self, name, default=None):
        self.asked.add(name)
        return super().get(name, default)

    def __getitem__(self, name):
        self.asked.add(name)
        return super().__getitem__(name)

    def __contains__(self, name):
        self.asked.add(name)
        return super().__contains__(name)


@pytest.fixture(scope="module")
def settings_read(tmp_path_factory) -> set[str]:
    """Every LMS_* variable lms/config.py reads, embedded and scaled."""
    instance = tmp_path_factory.mktemp("instance")
    embedded = RecordingEnviron(LMS_INSTANCE_PATH=str(instance))
    load_config(embedded)
    scaled = RecordingEnviron(LMS_INSTANCE_PATH=str(instance), LMS_BROKER_URL="redis://r/1")
    with pytest.raises(Exception, match="LMS_SECRET_KEY"):
        require_shared_settings(scaled)
    load_config(scaled)
    names = {name for name in embedded.asked | scaled.asked if name.startswith("LMS_")}
    # The recorder and the source agree: config.py names no variable it never reads.
    source = (ROOT / "lms" / "config.py").read_text()
    assert names <= set(re.findall(r'"(LMS_[A-Z0-9_]+)"', source))
    return names


# docker/.env.example ----------------------------------------------------------------------


def env_example() -> tuple[dict[str, str], set[str], dict[str, str]]:
    """(variables set, LMS_* names mentioned at all, commented "# LMS_X=default" lines)."""
    assigned, mentioned, defaults = {}, set(), {}
    for line in (DOCKER / ".env.example").read_text().splitlines():
        if match := re.match(r"([A-Z][A-Z0-9_]*)=(.*)$", line):
            assigned[match.group(1)] = match.group(2)
        if match := re.match(r"#?\s*(LMS_[A-Z0-9_]+)\b", line):
            mentioned.add(match.group(1))
        if match := re.match(r"#\s*(LMS_[A-Z0-9_]+)=(.*)$", line):
            defaults[match.group(1)] = match.group(2)
    return assigned, mentioned, defaults


def test_env_example_sets_only_settings_config_reads(settings_read):
    assigned, _, _ = env_example()
    unknown = {name for name in assigned if name.startswith("LMS_")} - settings_read
    assert not unknown, f".env.example sets variables lms/config.py never reads: {unknown}"


def test_env_example_lists_every_setting(settings_read):
    _, mentioned, _ = env_example()
    missing = settings_read - mentioned
    assert not missing, f"settings missing from .env.example: {sorted(missing)}"


def test_env_example_defaults_are_the_real_defaults(tmp_path):
    _, _, defaults = env_example()
    assert len(defaults) >= 10
    base = {"LMS_INSTANCE_PATH": str(tmp_path), "LMS_SECRET_KEY": "x"}
    expected = load_config(base)
    for name, value in defaults.items():
        assert load_config({**base, name: value}) == expected, f"{name}={value} is no default"


# docker/compose.yaml ----------------------------------------------------------------------


def interpolate(text: str, env: dict, required: set) -> str:
    """Compose's ${VAR}, ${VAR:-default}, ${VAR:?error}, $VAR and $$, defaults nested."""
    out, i = [], 0
    while i < len(text):
        if text[i] != "$":
            out.append(text[i])
            i += 1
        elif text.startswith("$$", i):
            out.append("$")
            i += 2
        elif text.startswith("${", i):
            value, i = _braced(text, i + 2, env, required)
            out.append(value)
        elif match := _NAME.match(text, i + 1):
            out.append(env.get(match.group(), ""))
            i = match.end()
        else:
            out.append("$")
            i += 1
    return "".join(out)


def _braced(text: str, i: int, env: dict, required: set) -> tuple[str, int]:
    name = _NAME.match(text, i).group()
    i += len(name)
    if text[i] == "}":
        return env.get(name, ""), i + 1
    operator = next(op for op in (":-", ":?", ":+", "-", "?", "+") if text.startswith(op, i))
    start = end = i + len(operator)
    depth = 0
    while True:
        if text.startswith("${", end):
            depth, end = depth + 1, end + 2
            continue
        if text[end] == "}":
            if depth == 0:
                break
            depth -= 1
        end += 1
    argument, value = text[start:end], env.get(name)
    missing = value is None or (operator.startswith(":") and value == "")
    if operator.endswith("-") and missing:
        value = interpolate(argument, env, required)
    elif operator.endswith("?"):
        required.add(name)
        value = f"<{name} from docker/.env>" if missing else value
    elif operator.endswith("+"):
        value = "" if missing else interpolate(argument, env, required)
    return value or "", end + 1


def resolved(node, env: dict, required: set):
    if isinstance(node, str):
        return interpolate(node, env, required)
    if isinstance(node, list):
        return [resolved(item, env, required) for item in node]
    if isinstance(node, dict):
        return {key: resolved(value, env, required) for key, value in node.items()}
    return node


@pytest.fixture(scope="module")
def compose():
    assigned, _, _ = env_example()
    required: set[str] = set()
    document = resolved(yaml.safe_load((DOCKER / "compose.yaml").read_text()), assigned, required)
    return {"document": document, "services": document["services"], "required": required}


def environment_of(service: dict) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {key: str(value) for key, value in environment.items()}


def test_compose_sets_only_settings_config_reads(compose, settings_read):
    for name, service in compose["services"].items():
        unknown = {key for key in environment_of(service) if key.startswith("LMS_")}
        unknown -= settings_read
        assert not unknown, f"{name} sets variables lms/config.py never reads: {unknown}"


def test_every_setting_reaches_the_app_services(compose, settings_read):
    for name in SCALED_SERVICES:
        missing = settings_read - set(environment_of(compose["services"][name]))
        assert not missing, f"{name} does not pass on {sorted(missing)}"


def test_what_compose_requires_is_in_the_env_example(compose):
    assigned, _, _ = env_example()
    assert compose["required"] <= set(assigned)
    assert {"LMS_SECRET_KEY", "POSTGRES_PASSWORD", "LMS_S3_SECRET_ACCESS_KEY"} <= compose[
        "required"
    ]


@pytest.mark.parametrize("service_name", SCALED_SERVICES)
def test_scaled_services_have_every_required_setting(compose, service_name):
    service = compose["services"][service_name]
    env = environment_of(service)
    assert env["LMS_SECRET_KEY"]
    assert env["LMS_DATABASE_URL"].startswith("postgresql://")
    assert env["LMS_REDIS_URL"].startswith("redis://")
    assert env["LMS_BROKER_URL"].startswith("redis://")
    assert env["LMS_STORAGE"] == "s3"
    for name in ("ENDPOINT_URL", "BUCKET", "ACCESS_KEY_ID", "SECRET_ACCESS_KEY"):
        assert env[f"LMS_S3_{name}"], f"LMS_S3_{name}"
    assert scaled_by(env)
    # The signing key is one secret file, the same for every node.
    secret = env["LMS_SIGNING_KEY_FILE"].removeprefix("/run/secrets/")
    assert secret != env["LMS_SIGNING_KEY_FILE"] and secret in service["secrets"]
    assert compose["document"]["secrets"][secret]["file"]


def test_roles_and_the_one_off_migration(compose):
    services = compose["services"]
    assert "command" not in services["web"]  # the image's gunicorn
    assert services["worker"]["command"][:4] == ["celery", "-A", "lms.worker", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "lms.worker", "beat"]
    assert services["migrate"]["command"] == ["flask", "--app", "wsgi", "db", "upgrade"]
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        assert "upgrade" not in " ".join(services[name].get("command", []))
        after = services[name]["depends_on"]
        assert after["migrate"]["condition"] == "service_completed_successfully"
        assert after["minio-setup"]["condition"] == "service_completed_successfully"


def test_health_checks_and_volumes(compose):
    services = compose["services"]

    def check(name):
        test = services[name]["healthcheck"]["test"]
        return " ".join(test) if isinstance(test, list) else test

    assert "/healthz" in check("web")
    assert "pg_isready" in check("postgres")
    assert "redis-cli ping" in check("redis")
    assert "mc ready" in check("minio")  # asks /minio/health/...
    volumes = compose["document"]["volumes"]
    for name, path in (("postgres", "/var/lib/postgresql/data"), ("redis", "/data"),
                       ("minio", "/data")):  # fmt: skip
        volume, target = services[name]["volumes"][0].split(":")[:2]
        assert volume in volumes and target == path


def test_bucket_setup_sets_the_players_cors_rule(compose):
    assigned, _, _ = env_example()
    setup = compose["services"]["minio-setup"]
    assert setup["image"].startswith("minio/mc")
    script = setup["command"][0]
    assert "mc mb --ignore-existing" in script and "mc cors set" in script
    xml = compose["document"]["configs"]["bucket_cors"]["content"]
    rule = ElementTree.fromstring(xml).find("CORSRule")
    expected = cors_rules(assigned["LMS_PUBLIC_URL"])["CORSRules"][0]
    assert [e.text for e in rule.findall("AllowedOrigin")] == expected["AllowedOrigins"]
    assert [e.text for e in rule.findall("AllowedMethod")] == expected["AllowedMethods"]
    assert [e.text for e in rule.findall("AllowedHeader")] == expected["AllowedHeaders"]
    assert [e.text for e in rule.findall("ExposeHeader")] == expected["ExposeHeaders"]
    assert int(rule.find("MaxAgeSeconds").text) == expected["MaxAgeSeconds"]


# docker/Dockerfile ------------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (DOCKER / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in joined.splitlines()
        if line.strip()
    ]


def run_time_packages() -> set[str]:
    """The Debian packages scripts/setup.sh installs to run (not only to test) the platform."""
    script = (ROOT / "scripts" / "setup.sh").read_text()
    packages = set()
    for group in re.findall(r"missing\+=\(([^)]*)\)", script):
        packages.update(group.split())
    return packages - {"chromium", "poppler-utils", "redis-server"}


def test_dockerfile_installs_what_the_platform_needs():
    instructions = dockerfile_instructions()
    assert instructions[0][0] == "FROM" and instructions[0][1].startswith("python:3.11-slim")
    runs = " ".join(argument for keyword, argument in instructions if keyword == "RUN")
    installed = set(re.search(r"apt-get install ([^&]*)", runs).group(1).split())
    needed = run_time_packages() | {"ffmpeg", "fonts-noto-cjk"}
    assert needed <= installed, f"missing: {needed - installed}"
    assert 'pip install ".[scale]"' in runs


def test_dockerfile_runs_as_a_user_and_never_migrates():
    instructions = dockerfile_instructions()
    users = [argument.strip() for keyword, argument in instructions if keyword == "USER"]
    assert users and users[-1] not in ("root", "0") and not users[-1].startswith("0:")
    keywords = [keyword for keyword, _ in instructions]
    last_user = max(index for index, keyword in enumerate(keywords) if keyword == "USER")
    assert keywords.index("CMD") > last_user
    (command,) = [argument for keyword, argument in instructions if keyword == "CMD"]
    entrypoints = [argument for keyword, argument in instructions if keyword == "ENTRYPOINT"]
    for startup in (command, *entrypoints):
        assert "upgrade" not in startup and "migrat" not in startup
    assert "gunicorn" in command and '"gthread"' in command
    timeout = int(re.search(r'"--timeout", "(\d+)"', command).group(1))
    assert timeout >= 120  # an 8 MiB chunk from a phone on a weak network


def test_the_docs_explain_running_on_several_machines():
    readme = (ROOT / "README.md").read_text()
    assert "docs/operations.md" in readme
    operations = (ROOT / "docs" / "operations.md").read_text()
    section = operations.split("## Running on several machines", 1)[1].split("\n## ", 1)[0]
    for needed in ("LMS_PROXY_HOPS=1", "client_max_body_size", "proxy_request_buffering off",
                   "HTTPS", "versioning", "mc mirror", "flask --app wsgi lms doctor"):  # fmt: skip
        assert needed in section, needed
    for setting in ("LMS_PUBLIC_URL", "LMS_LOG_JSON"):
        assert f"| `{setting}` |" in readme
