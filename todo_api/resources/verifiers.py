"""Which token verifiers the configuration asks for: the shared secret, Better Auth's key set,
or both, each token going to the one its algorithm names."""

from __future__ import annotations

from todo_adapters.observing import NO_OBSERVER, Observer
from todo_adapters.tokens import ByAlgorithm, JwksVerifier, SharedSecretVerifier
from todo_api.resources import dev_secret
from todo_api.settings import Settings


def shared_secret_verifier_for(settings: Settings) -> SharedSecretVerifier | None:
    """HS256 with BETTER_AUTH_SECRET; in development with nothing configured, with a secret
    generated on disk (so that `todo-api token` works out of the box)."""
    if settings.better_auth_secret is not None:
        secret = settings.better_auth_secret.get_secret_value()
    elif settings.uses_dev_secret:
        path = settings.dev_secret_file or dev_secret.dev_secret_path(
            settings.effective_database_url
        )
        secret = dev_secret.load_or_create(path)
    else:
        return None
    return SharedSecretVerifier(
        secret,
        [settings.jwt_algorithm],
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        leeway_seconds=settings.jwt_leeway_seconds,
    )


def jwks_verifier_for(settings: Settings, observer: Observer = NO_OBSERVER) -> JwksVerifier | None:
    """Better Auth's published keys, when JWT_JWKS_URL is set; each fetch told to `observer`."""
    if settings.jwt_jwks_url is None:
        return None
    return JwksVerifier(
        settings.jwt_jwks_url,
        settings.jwt_jwks_algorithms,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        leeway_seconds=settings.jwt_leeway_seconds,
        timeout_seconds=settings.jwt_jwks_timeout_seconds,
        max_age_seconds=settings.jwt_jwks_max_age_seconds,
        min_refresh_seconds=settings.jwt_jwks_min_refresh_seconds,
        observer=observer,
    )


def either_verifier(
    shared: SharedSecretVerifier | None, published: JwksVerifier | None
) -> ByAlgorithm:
    """Every configured verifier, each token going to the one its algorithm names."""
    configured = [verifier for verifier in (shared, published) if verifier is not None]
    if not configured:  # Settings refuses this already; never accept tokens unverified
        raise RuntimeError("configure JWT_JWKS_URL or BETTER_AUTH_SECRET")
    return ByAlgorithm(configured)
