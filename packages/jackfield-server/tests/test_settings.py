"""Settings from the environment, and the secret key made on first start."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from jackfield_server import SecretBox, ServerConfigError, Settings
from jackfield_server._secret_key import load_or_create_key_file, load_secret_box
from jackfield_server._settings import normalize_database_url


def test_defaults_put_a_sqlite_file_in_the_data_dir(tmp_path: Path):
    settings = Settings.from_env({"JACKFIELD_DATA_DIR": str(tmp_path)})
    assert settings.data_dir == tmp_path
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path.as_posix()}/jackfield.db"
    assert settings.secret_keys == ()
    assert settings.broker_url is None
    assert settings.secret_key_file == tmp_path / "secret.key"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG directories are Linux's")
def test_default_data_dir_is_the_per_user_data_directory(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XDG_DATA_HOME", "/srv/xdg-data")
    settings = Settings.from_env({})
    assert settings.data_dir == Path("/srv/xdg-data/jackfield")
    assert settings.database_url == "sqlite+aiosqlite:////srv/xdg-data/jackfield/jackfield.db"


def test_every_variable_is_read_and_empty_ones_count_as_unset(tmp_path: Path):
    key_one, key_two = SecretBox.generate_key(), SecretBox.generate_key()
    settings = Settings.from_env(
        {
            "JACKFIELD_DATA_DIR": str(tmp_path),
            "JACKFIELD_DATABASE_URL": "postgresql://app:pw@db.internal/jf",
            "JACKFIELD_SECRET_KEY": f" {key_one} , {key_two} ",
            "JACKFIELD_BROKER_URL": "redis://127.0.0.1:6379/0",
        }
    )
    assert settings.database_url == "postgresql+asyncpg://app:pw@db.internal/jf"
    assert settings.secret_keys == (key_one, key_two)
    assert settings.broker_url == "redis://127.0.0.1:6379/0"
    blank = Settings.from_env({"JACKFIELD_DATA_DIR": str(tmp_path), "JACKFIELD_BROKER_URL": " "})
    assert blank.broker_url is None


def test_repr_shows_no_password_or_key(tmp_path: Path):
    key = SecretBox.generate_key()
    settings = Settings.from_env(
        {
            "JACKFIELD_DATA_DIR": str(tmp_path),
            "JACKFIELD_DATABASE_URL": "postgresql://app:hunter2@db/jf",
            "JACKFIELD_SECRET_KEY": key,
        }
    )
    shown = repr(settings)
    assert "hunter2" not in shown
    assert key not in shown
    assert str(tmp_path) in shown


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("postgres://u@h/d", "postgresql+asyncpg://u@h/d"),
        ("postgresql+asyncpg://u@h/d", "postgresql+asyncpg://u@h/d"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
    ],
)
def test_database_urls_get_the_async_driver(given: str, expected: str):
    assert normalize_database_url(given) == expected


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_first_start_creates_an_owner_only_key_file_and_reuses_it(tmp_path: Path):
    settings = Settings.from_env({"JACKFIELD_DATA_DIR": str(tmp_path / "data")})
    box = load_secret_box(settings)
    path = settings.secret_key_file
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    token = box.encrypt("s3cret")
    assert load_secret_box(settings).decrypt(token) == "s3cret"
    assert sorted(p.name for p in path.parent.iterdir()) == ["secret.key"]


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_key_file_others_can_read_is_refused(tmp_path: Path):
    path = tmp_path / "secret.key"
    load_or_create_key_file(path)
    path.chmod(0o644)
    with pytest.raises(ServerConfigError, match="chmod 600"):
        load_or_create_key_file(path)


def test_configured_keys_win_over_the_key_file(tmp_path: Path):
    key = SecretBox.generate_key()
    settings = Settings.from_env({"JACKFIELD_DATA_DIR": str(tmp_path), "JACKFIELD_SECRET_KEY": key})
    token = load_secret_box(settings).encrypt("x")
    assert SecretBox([key]).decrypt(token) == "x"
    assert not settings.secret_key_file.exists()


def test_an_invalid_key_is_reported_without_its_value(tmp_path: Path):
    settings = Settings.from_env(
        {"JACKFIELD_DATA_DIR": str(tmp_path), "JACKFIELD_SECRET_KEY": "not-a-real-key-value"}
    )
    with pytest.raises(ServerConfigError) as caught:
        load_secret_box(settings)
    assert "JACKFIELD_SECRET_KEY" in str(caught.value)
    assert "not-a-real-key-value" not in str(caught.value)


def test_server_and_worker_variables_are_read_and_checked(tmp_path: Path):
    settings = Settings.from_env(
        {
            "JACKFIELD_DATA_DIR": str(tmp_path),
            "JACKFIELD_PUBLIC_URL": "https://calls.example.com/",
            "JACKFIELD_BROKER_QUEUE": "completion",
            "JACKFIELD_WORKER_LEASE_S": "2.5",
            "JACKFIELD_WORKER_CONCURRENCY": "8",
            "JACKFIELD_WORKER_POLL_S": "0.25",
            "JACKFIELD_MAX_JOB_ATTEMPTS": "3",
        }
    )
    assert settings.public_base_url == "https://calls.example.com/api/v1/public/runs"
    assert (settings.broker_queue, settings.worker_lease_s, settings.worker_concurrency) == (
        "completion",
        2.5,
        8,
    )
    assert (settings.worker_poll_s, settings.max_job_attempts) == (0.25, 3)
    defaults = Settings.from_env({"JACKFIELD_DATA_DIR": str(tmp_path)})
    assert defaults.public_base_url is None
    assert (defaults.worker_lease_s, defaults.worker_concurrency, defaults.max_job_attempts) == (
        60.0,
        4,
        25,
    )
    with pytest.raises(ServerConfigError, match="JACKFIELD_WORKER_CONCURRENCY must be an integer"):
        Settings.from_env(
            {"JACKFIELD_DATA_DIR": str(tmp_path), "JACKFIELD_WORKER_CONCURRENCY": "2.5"}
        )
    with pytest.raises(ServerConfigError, match="worker_lease_s must be at least"):
        Settings.from_env({"JACKFIELD_DATA_DIR": str(tmp_path), "JACKFIELD_WORKER_LEASE_S": "0"})
