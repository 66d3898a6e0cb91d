"""Shared fixtures: every test opens its own Platform in a temporary data directory."""

import pathlib

import pytest

try:
    import shiksha
except ImportError as exc:  # pragma: no cover - only when run by hand without PYTHONPATH
    raise ImportError(
        "the shiksha module is not importable: build it (ninja -C build/<preset>) and run with "
        "PYTHONPATH=build/<preset>/bindings/python /usr/bin/python3 -m pytest bindings/python/tests"
    ) from exc

REPO = pathlib.Path(__file__).resolve().parents[3]
# Eight pages: page 2 is about circuits, page 7 is Hindi, page 8 is an image with no text layer.
SAMPLE_PDF = REPO / "examples" / "data" / "low_cost_science_handbook.pdf"
SAMPLE_TITLE = "Low-Cost Science Handbook"
ENCRYPTED_PDF = REPO / "tests" / "data" / "encrypted_user_password.pdf"

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
