import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from lms.config import load_config


def test_defaults_are_embedded(tmp_path):
    config = load_config({"LMS_INSTANCE_PATH": str(tmp_path)})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'lms.sqlite'}"
    assert config["LMS_TIMEZONE"] == "Asia/Shanghai"
    assert config["LMS_STORAGE"] == "local"
    assert config["RATELIMIT_STORAGE_URI"] == "lms-memory://"
    assert config["WTF_CSRF_TIME_LIMIT"] is None


def test_the_secret_key_is_generated_once_into_the_instance_folder(tmp_path):
    first = load_config({"LMS_INSTANCE_PATH": str(tmp_path)})["SECRET_KEY"]
    second = load_config({"LMS_INSTANCE_PATH": str(tmp_path)})["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_processes_starting_together_read_the_same_non_empty_secret(tmp_path, monkeypatch):
    generate = secrets.token_hex

    def slow_token_hex(size):  # widens the moment between creating the file and filling it
        time.sleep(0.1)
        return generate(size)

    monkeypatch.setattr("lms.config.secrets.token_hex", slow_token_hex)
    starters = 12
    start_together = threading.Barrier(starters)

    def start():
        start_together.wait()
        return load_config({"LMS_INSTANCE_PATH": str(tmp_path)})["SECRET_KEY"]

    with ThreadPoolExecutor(starters) as pool:
        keys = set(pool.map(lambda _: start(), range(starters)))
    assert len(keys) == 1 and len(keys.pop()) == 64
    assert [path.name for path in tmp_path.iterdir()] == ["secret_key"]  # no file left aside


def test_postgresql_urls_use_psycopg_3(tmp_path):
    config = load_config(
        {"LMS_INSTANCE_PATH": str(tmp_path), "LMS_DATABASE_URL": "postgresql://u@h:5432/d"}
    )
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h:5432/d"


def test_redis_url_feeds_the_rate_limiter(tmp_path):
    config = load_config({"LMS_INSTANCE_PATH": str(tmp_path), "LMS_REDIS_URL": "redis://r:6379/1"})
    assert config["RATELIMIT_STORAGE_URI"] == "redis://r:6379/1"
