"""Configuration: the URLs Neon and the seed hand out, and what production refuses."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy.engine import make_url

from tests.support.apps import settings_for_tests
from todo_adapters.sql.urls import driver_url
from todo_api.cli import main, ttl_seconds
from todo_api.settings import describe

NEON = "postgresql://alex:s3cr3t@ep-cool-darkness-123456-pooler.eu-central-1.aws.neon.tech/neondb"


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        (NEON + "?sslmode=require&channel_binding=require", "postgresql+psycopg"),
        (NEON.replace("postgresql://", "postgres://") + "?sslmode=require", "postgresql+psycopg"),
        ("postgresql+psycopg://u@localhost/db", "postgresql+psycopg"),
        ("sqlite:///./todo.db", "sqlite"),
    ],
)
def test_database_urls_map_to_psycopg_keeping_their_options(given: str, driver: str) -> None:
    url = make_url(driver_url(given))
    original = make_url(given)
    assert url.drivername == driver
    assert (url.host, url.database, url.username) == (
        original.host,
        original.database,
        original.username,
    )
    assert url.password == original.password
    assert dict(url.query) == dict(original.query)  # sslmode, channel_binding kept


@pytest.mark.parametrize("given", ["mysql://u@h/db", "postgresql+psycopg2://u@h/db", "nonsense"])
def test_other_databases_are_refused_up_front(given: str) -> None:
    with pytest.raises(Exception, match=r"driver|Could not parse"):
        driver_url(given)


def test_production_needs_a_long_secret_and_a_database() -> None:
    with pytest.raises(ValidationError, match="BETTER_AUTH_SECRET"):
        settings_for_tests(environment="production", better_auth_secret="short", database_url=NEON)
    with pytest.raises(ValidationError, match="DATABASE_URL"):
        settings_for_tests(environment="production", database_url=None)
    ok = settings_for_tests(environment="production", database_url=NEON)
    assert ok.effective_database_url == NEON


def test_configuration_errors_never_repeat_a_value() -> None:
    secret = "do-not-print-me-" * 3
    with pytest.raises(ValidationError) as raised:
        settings_for_tests(environment="production", better_auth_secret=secret, database_url=None)
    message = describe(raised.value)
    assert "DATABASE_URL" in message
    assert "do-not-print" not in message
    assert "do-not-print" not in repr(settings_for_tests(better_auth_secret=secret))


def test_cors_origins_are_listed_never_wildcarded() -> None:
    settings = settings_for_tests(
        environment="production",
        database_url="sqlite:///./x.db",
        frontend_url="https://app.example",
        cors_origins="https://a.example, https://b.example",
    )
    assert settings.allowed_origins == [
        "https://app.example",
        "https://a.example",
        "https://b.example",
    ]
    with pytest.raises(ValidationError, match="never"):
        settings_for_tests(cors_origins="*")


def test_development_allows_a_loopback_origin_under_both_its_names() -> None:
    assert settings_for_tests().allowed_origins == [
        "http://localhost:3000",
        "http://127.0.0.1:3000",
    ]
    assert settings_for_tests(frontend_url="http://127.0.0.1:5173").allowed_origins == [
        "http://127.0.0.1:5173",
        "http://localhost:5173",
    ]


@pytest.mark.parametrize(
    ("given", "origin"),
    [
        ("http://127.0.0.1:3000/", "http://127.0.0.1:3000"),
        ("  https://App.Example.com  ", "https://app.example.com"),
        ("https://app.example.com:443", "https://app.example.com"),
        ("http://localhost:80/", "http://localhost"),
    ],
)
def test_origins_are_written_as_browsers_send_them(given: str, origin: str) -> None:
    """A trailing slash once passed start-up and then failed every preflight."""
    assert settings_for_tests(frontend_url=given).frontend_url == origin
    assert origin in settings_for_tests(cors_origins=given).allowed_origins


@pytest.mark.parametrize(
    "given", ["http://app.example/app", "http://app.example?x=1", "app.example", "ftp://a.b", "*"]
)
@pytest.mark.parametrize("variable", ["frontend_url", "cors_origins"])
def test_what_is_not_an_origin_is_refused_at_start_up(given: str, variable: str) -> None:
    with pytest.raises(ValidationError) as raised:
        settings_for_tests(**{variable: given})
    message = describe(raised.value)
    assert variable.upper() in message
    assert "origin" in message


@pytest.mark.parametrize(
    ("text", "seconds"), [("15m", 900), ("2h", 7200), ("30s", 30), ("3600", 3600), ("1d", 86400)]
)
def test_token_lifetimes(text: str, seconds: int) -> None:
    assert ttl_seconds(text) == seconds


@pytest.mark.parametrize("text", ["0", "-5m", "5x", "", "1.5h"])
def test_bad_token_lifetimes_are_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        ttl_seconds(text)


JWKS = "https://app.example.com/api/auth/jwks"


def test_production_accepts_a_jwks_url_instead_of_a_secret() -> None:
    settings = settings_for_tests(
        environment="production", better_auth_secret=None, database_url=NEON, jwt_jwks_url=JWKS
    )
    assert settings.jwt_jwks_url == JWKS
    assert not settings.uses_dev_secret
    with pytest.raises(ValidationError, match="BETTER_AUTH_SECRET"):  # a short one still fails
        settings_for_tests(
            environment="production",
            better_auth_secret="short",
            database_url=NEON,
            jwt_jwks_url=JWKS,
        )
    with pytest.raises(ValidationError, match="JWT_JWKS_URL or BETTER_AUTH_SECRET"):
        settings_for_tests(environment="production", better_auth_secret=None, database_url=NEON)


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("http://auth.internal:3000/api/auth/jwks", False),
        ("http://localhost:3000/api/auth/jwks", True),
        ("http://127.0.0.1:3000/api/auth/jwks", True),
        (JWKS, True),
    ],
)
def test_production_fetches_keys_over_https_or_loopback_only(url: str, safe: bool) -> None:
    def make() -> object:
        return settings_for_tests(environment="production", database_url=NEON, jwt_jwks_url=url)

    if safe:
        make()
    else:
        with pytest.raises(ValidationError, match="https JWT_JWKS_URL"):
            make()


@pytest.mark.parametrize("url", ["app.example.com/jwks", "file:///etc/passwd", "https://"])
def test_a_jwks_url_must_be_absolute_http(url: str) -> None:
    with pytest.raises(ValidationError, match=r"(?i)jwt_jwks_url"):
        settings_for_tests(jwt_jwks_url=url)


def test_jwks_algorithms_are_a_comma_list_of_public_key_algorithms(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JWT_JWKS_ALGORITHMS", "EdDSA, ES256")
    assert settings_for_tests().jwt_jwks_algorithms == ["EdDSA", "ES256"]
    monkeypatch.setenv("JWT_JWKS_ALGORITHMS", "EdDSA,HS256")
    with pytest.raises(ValidationError, match=r"(?i)jwt_jwks_algorithms"):
        settings_for_tests()
    monkeypatch.delenv("JWT_JWKS_ALGORITHMS")
    assert settings_for_tests().jwt_jwks_algorithms == ["EdDSA", "ES256", "ES512", "RS256", "PS256"]


def test_the_development_secret_is_only_used_when_nothing_else_is_configured() -> None:
    assert settings_for_tests(better_auth_secret=None).uses_dev_secret
    assert not settings_for_tests(better_auth_secret=None, jwt_jwks_url=JWKS).uses_dev_secret
    assert not settings_for_tests().uses_dev_secret


def test_the_token_command_explains_where_tokens_come_from_in_jwks_mode(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("BETTER_AUTH_SECRET", "DATABASE_URL", "ENVIRONMENT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("JWT_JWKS_URL", JWKS)
    with pytest.raises(SystemExit, match="GET /api/auth/token"):
        main(["token", "alice"])
    assert not list(tmp_path.iterdir())  # and no development secret was made


@pytest.mark.parametrize("rate", ["600/minute", "10/second", "5 per hour", "0"])
def test_rate_limits_are_read_by_the_limits_library(rate: str) -> None:
    assert settings_for_tests(rate_limit_reads=rate).rate_limit_reads == rate


@pytest.mark.parametrize("rate", ["fast", "0/minute", "-1/second", "10/fortnight", ""])
def test_a_rate_that_is_not_one_is_refused_at_start_up(rate: str) -> None:
    with pytest.raises(ValidationError) as raised:
        settings_for_tests(rate_limit_writes=rate)
    assert describe(raised.value).startswith("invalid configuration: RATE_LIMIT_WRITES: not a rate")


def test_redis_urls_are_checked_up_front() -> None:
    assert settings_for_tests(redis_url="rediss://:pw@cache:6380/0").redis_url is not None
    with pytest.raises(ValidationError, match="redis_url"):
        settings_for_tests(redis_url="http://cache:6379")


@pytest.mark.parametrize(
    "everyone",
    [
        "10.0.0.1,*",
        "0.0.0.0/0",
        "::/0",
        "0.0.0.0/1,128.0.0.0/1",
        "::ffff:0:0/96",
        "10.0.0.1, ::ffff:0.0.0.0/97, ::ffff:128.0.0.0/97",
    ],
)
def test_production_refuses_to_trust_every_forwarded_address(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, everyone: str
) -> None:
    """`*`, or ranges that add up to every address: a client then picks its own address."""
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("DATABASE_URL", NEON)
    monkeypatch.setenv("BETTER_AUTH_SECRET", "x" * 40)
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", everyone)
    with pytest.raises(SystemExit, match="FORWARDED_ALLOW_IPS"):
        main(["serve"])


@pytest.mark.parametrize("some", ["127.0.0.1,::1", "10.0.0.0/8,fd00::/8", "0.0.0.0/1"])
def test_production_trusts_the_ranges_it_is_given(some: str) -> None:
    settings = settings_for_tests(
        environment="production", database_url=NEON, forwarded_allow_ips=some
    )
    assert settings.forwarded_allow_ips == some


def test_metrics_are_never_public_by_accident() -> None:
    with pytest.raises(ValidationError, match="METRICS_PORT"):
        settings_for_tests(metrics=True)
    assert settings_for_tests(metrics=True, metrics_port=9100).metrics
    assert settings_for_tests(metrics=True, metrics_token="a-long-scrape-token").metrics
    with pytest.raises(ValidationError, match="16"):
        settings_for_tests(metrics=True, metrics_token="short")


def test_each_concern_keeps_its_validators_in_the_composed_settings() -> None:
    """Two concerns naming a validator alike would silently keep only one of them."""
    from todo_api.settings import Settings

    def validators(model: type) -> set[str]:
        decorators = model.__pydantic_decorators__  # type: ignore[attr-defined]
        return {*decorators.field_validators, *decorators.model_validators}

    parts = [base for base in Settings.__mro__[1:] if base.__module__.startswith("todo_api")]
    assert len(parts) >= 6
    owned = [name for part in parts for name in vars(part) if name in validators(part)]
    assert len(owned) == len(set(owned)), "two concerns define a validator of the same name"
    assert set(owned) <= validators(Settings)


@pytest.mark.parametrize(
    ("given", "first_refusal"),
    [
        ({"better_auth_secret": "short", "database_url": None, "metrics": True}, "METRICS=true"),
        ({"better_auth_secret": "short", "database_url": None}, "JWT_JWKS_URL or BETTER_AUTH"),
        ({"database_url": None, "forwarded_allow_ips": "*"}, "needs DATABASE_URL"),
    ],
)
def test_production_names_its_first_refusal_in_a_stable_order(
    given: dict[str, object], first_refusal: str
) -> None:
    """Metrics, then tokens, then the database, then the proxies: the order a configuration
    with several problems is told them in, whichever concern's class checks each."""
    with pytest.raises(ValidationError) as refused:
        settings_for_tests(environment="production", **given)
    assert first_refusal in describe(refused.value)


def test_the_command_line_says_its_version_defaults_and_variables(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.startswith("todo-api ")
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "(default: 8000)" in shown
    assert "--reload" in shown
    assert "DATABASE_URL" in shown
    assert "docs/configuration.md" in shown


def test_reload_runs_one_worker(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    with pytest.raises(SystemExit, match="--reload runs one worker"):
        main(["serve", "--reload", "--workers", "2"])
