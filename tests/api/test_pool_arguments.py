"""CASEWORK_DATABASE_URL is a libpq URL: what the API's asyncpg pool makes of its parameters."""

from __future__ import annotations

import pytest

from api.database import create_pool, pool_arguments


def test_connect_timeout_becomes_the_pools_timeout_and_the_rest_is_kept() -> None:
    url, timeout = pool_arguments("postgresql://u:p@db:5432/casework?connect_timeout=7&sslmode=require")
    assert timeout == 7.0
    assert url == "postgresql://u:p@db:5432/casework?sslmode=require"
    assert pool_arguments("postgresql://u@/casework?host=/run/pg&port=5433") == (
        "postgresql://u@/casework?host=%2Frun%2Fpg&port=5433",
        5.0,
    )


def test_fallback_application_name_is_the_name_unless_one_is_given() -> None:
    url, _ = pool_arguments("postgresql://db/c?fallback_application_name=casework")
    assert url == "postgresql://db/c?application_name=casework"
    url, _ = pool_arguments("postgresql://db/c?application_name=api&fallback_application_name=casework")
    assert url == "postgresql://db/c?application_name=api"


@pytest.mark.parametrize(
    "parameter", ["keepalives=1", "channel_binding=require", "hostaddr=10.0.0.5", "sslsni=1"]
)
def test_a_parameter_only_libpq_knows_is_refused_by_name(parameter: str) -> None:
    name = parameter.split("=", maxsplit=1)[0]
    with pytest.raises(ValueError, match=f"CASEWORK_DATABASE_URL: {name} is a libpq parameter"):
        pool_arguments(f"postgresql://db/c?{parameter}")


def test_a_connect_timeout_that_is_no_number_is_refused() -> None:
    with pytest.raises(ValueError, match="connect_timeout='soon' is not a number"):
        pool_arguments("postgresql://db/c?connect_timeout=soon")


async def test_the_pool_connects_with_a_url_written_for_libpq(database_url: str) -> None:
    joiner = "&" if "?" in database_url else "?"
    pool = await create_pool(
        f"{database_url}{joiner}connect_timeout=10&fallback_application_name=casework-api"
    )
    try:
        assert await pool.fetchval("SELECT current_setting('application_name')") == "casework-api"
    finally:
        await pool.close()
