"""Shared fixtures: every test opens its own Platform in a temporary data directory."""

import pytest

try:
    import shiksha
except ImportError as exc:  # pragma: no cover - only when run by hand without PYTHONPATH
    raise ImportError(
        "the shiksha module is not importable: build it (ninja -C build/<preset>) and run with "
        "PYTHONPATH=build/<preset>/bindings/python /usr/bin/python3 -m pytest bindings/python/tests"
    ) from exc

# 32+ bytes, as AuthConfig.jwt_secret requires.
JWT_SECRET = "pytest-signing-secret-0123456789abcdef"
PASSWORD = "a long passphrase"


def make_config(data_dir, password_hash_cost="minimum"):
    config = shiksha.Config(data_dir, workers=2)
    config.auth.jwt_secret = JWT_SECRET
    config.auth.password_hash_cost = password_hash_cost
    return config


@pytest.fixture
def config(tmp_path):
    return make_config(tmp_path / "data")


@pytest.fixture
def platform(config):
    return shiksha.Platform(config)


@pytest.fixture
def new_cluster():
    """Keyword arguments for ClusterEngine.create(); override what a test cares about."""

    def make(**overrides):
        fields = {
            "name": "Bastar Tribal Cluster",
            "region_type": "Tribal Belt",
            "language": "Hindi",
            "infrastructure_constraints": "Low",
        }
        fields.update(overrides)
        return fields

    return make
