"""The ID vault's keys, and the embedded PostgreSQL that is the default database."""

from __future__ import annotations

import stat
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

from casework.domain.errors import InvalidRequest
from casework.embedded import EmbeddedPostgres, connection_params
from casework.keyfiles import read_or_create
from casework.vault import Vault
from tests import builders as b


def test_the_vault_key_is_made_once_and_kept_private(tmp_path: Path) -> None:
    first = Vault.from_setting(None, tmp_path)
    key_file = tmp_path / "id.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = Vault.from_setting(None, tmp_path)
    number = b.resident_id(3)
    assert first.token(number) == second.token(number)
    assert second.reveal(first.protect(number, "id")) == number


def test_a_configured_key_is_used_and_another_key_tokenises_differently(tmp_path: Path) -> None:
    number = b.resident_id(3)
    one = Vault.from_setting("11" * 32, tmp_path)
    two = Vault.from_setting("22" * 32, tmp_path)
    assert one.token(number) != two.token(number)
    assert not (tmp_path / "id.key").exists()
    with pytest.raises(ValueError, match="32 bytes"):
        Vault.from_setting("abc", tmp_path)


def test_protecting_checks_the_number_first(vault: Vault) -> None:
    with pytest.raises(InvalidRequest) as caught:
        vault.protect("330302198001010010", "members[0].id_number")
    assert caught.value.errors[0].field == "members[0].id_number"
    protected = vault.protect(b.resident_id(9).lower(), "id")
    assert protected.masked == b.resident_id(9)[:4] + "*" * 14
    assert b.resident_id(9) not in protected.sealed


@pytest.fixture
def folder() -> Iterator[Path]:
    """A folder outside pytest's: as root the server runs as another user, to whom the wheel
    opens the folders above its data, and another pytest session starting meanwhile closes
    pytest's own again (the server then cannot start)."""
    with tempfile.TemporaryDirectory(prefix="casework-embedded-") as made:
        yield Path(made)


def test_the_embedded_server_starts_in_its_folder_and_stops(folder: Path) -> None:
    server = EmbeddedPostgres(folder / "data", throwaway=True)
    with psycopg.connect(server.url) as conn:
        (version,) = conn.execute("SHOW server_version_num").fetchone()  # type: ignore[misc]
    assert int(version) >= 160000
    assert server.stop() is True
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(server.url, connect_timeout=2)
    assert not (folder / "data" / "pgdata").exists(), "a throwaway server's data is deleted"
    assert server.stop() is False, "stopping twice is harmless"


def test_the_last_user_of_the_server_stops_it(folder: Path) -> None:
    # Two users in one process count as two, as two processes do.
    first = EmbeddedPostgres(folder / "data", throwaway=True)
    second = EmbeddedPostgres(folder / "data", throwaway=True)
    assert (first.how, second.how) == ("started", "attached")
    assert first.stop() is False
    with psycopg.connect(second.url, connect_timeout=5) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    assert second.stop() is True
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(second.url, connect_timeout=2)


def test_a_pid_file_naming_another_server_s_postmaster_is_stale(folder: Path) -> None:
    # The pid of the old postmaster now belongs to another PostgreSQL, of the same user (which
    # PostgreSQL itself would refuse to start over), as after a reboot or in a new container.
    neighbour = EmbeddedPostgres(folder / "neighbour", throwaway=True)
    made = EmbeddedPostgres(folder / "data")
    assert made.stop() is True
    pid_file = folder / "data" / "pgdata" / "postmaster.pid"
    pid_file.write_text(f"{neighbour.pid}\n{made.pgdata}\n0\n5432\n{made.pgdata}\n\n  0 0\nready\n")
    again = EmbeddedPostgres(folder / "data", throwaway=True)
    try:
        assert again.how == "started"
        assert again.pid != neighbour.pid
        with psycopg.connect(again.url, connect_timeout=5) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        with psycopg.connect(neighbour.url, connect_timeout=5) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,), "the neighbour was not signalled"
    finally:
        again.stop()
        neighbour.stop()


def test_database_urls_are_read_for_tcp_and_sockets() -> None:
    assert connection_params("postgresql://postgres@127.0.0.1:5432/test") == {
        "dbname": "test", "host": "127.0.0.1", "port": "5432", "user": "postgres", "password": "",
    }  # fmt: skip
    socket_url = "postgresql://postgres:@/postgres?host=/run/pg"
    assert connection_params(socket_url)["host"] == "/run/pg"
    assert connection_params("postgresql://u:p%40ss@db:6543/casework")["password"] == "p@ss"
    with pytest.raises(ValueError, match="postgresql://"):
        connection_params("mysql://x")


def test_processes_making_a_secret_at_once_all_read_the_one_complete_secret(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "jwt.secret"
    start = threading.Barrier(16)
    made = iter(range(16))

    def make() -> str:
        return f"secret-{next(made)}-" + "x" * 4096  # long enough to be caught half-written

    def race() -> str:
        start.wait()
        return read_or_create(path, make)

    with ThreadPoolExecutor(16) as pool:
        seen = set(pool.map(lambda _: race(), range(16)))
    assert len(seen) == 1
    (secret,) = seen
    assert secret == path.read_text().strip()
    assert secret.endswith("x" * 4096)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["jwt.secret"], "no draft left behind"
