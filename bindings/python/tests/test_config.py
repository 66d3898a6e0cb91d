import os
import pathlib

import pytest
import shiksha

from conftest import JWT_SECRET, make_config


def test_defaults_match_the_library():
    config = shiksha.Config()
    assert config.data_dir == pathlib.Path("shiksha-data")
    assert config.workers == 0
    assert config.server.host == "127.0.0.1"
    assert config.server.port == 8000
    assert config.server.header_timeout == 10
    assert config.auth.access_token_ttl == 3600
    assert config.auth.refresh_token_ttl == 30 * 24 * 3600
    assert config.auth.password_hash_cost == "interactive"
    assert config.log_level == "info"
    config.validate()


def test_data_dir_accepts_str_and_pathlib(tmp_path):
    assert shiksha.Config(str(tmp_path)).data_dir == tmp_path
    config = shiksha.Config()
    config.data_dir = tmp_path / "x"
    assert config.data_dir == tmp_path / "x"


def test_nested_settings_are_changed_in_place():
    config = shiksha.Config()
    config.server.port = 0
    config.server.idle_timeout = 5
    config.auth.access_token_ttl = 600
    config.server.cors_origins = ["https://diet.example.in"]
    assert config.server.port == 0
    assert config.server.idle_timeout == 5
    assert config.auth.access_token_ttl == 600
    assert config.server.cors_origins == ["https://diet.example.in"]
    config.validate()


def test_password_hash_cost_is_a_name():
    config = shiksha.Config()
    for cost in ("minimum", "interactive", "moderate"):
        config.auth.password_hash_cost = cost
        assert config.auth.password_hash_cost == cost
    with pytest.raises(shiksha.InvalidArgumentError) as err:
        config.auth.password_hash_cost = "fast"
    assert err.value.field == "auth.password_hash_cost"


def test_validate_names_the_field():
    config = shiksha.Config()
    config.auth.jwt_secret = "too short"
    with pytest.raises(shiksha.InvalidArgumentError) as err:
        config.validate()
    assert err.value.field == "auth.jwt_secret"
    assert err.value.code == "invalid_argument"

    config = shiksha.Config()
    config.server.header_timeout = 0
    with pytest.raises(shiksha.InvalidArgumentError) as err:
        config.validate()
    assert err.value.field == "server.header_timeout"


def test_invalid_log_level_is_refused():
    config = shiksha.Config()
    config.log_level = "debug"
    assert config.log_level == "debug"
    with pytest.raises(shiksha.InvalidArgumentError):
        config.log_level = "verbose"


def test_repr_never_shows_the_jwt_secret():
    config = make_config("somewhere")
    assert JWT_SECRET not in repr(config.auth)
    assert "***" in repr(config.auth)


def test_config_from_env_reads_shiksha_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("SHIKSHA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SHIKSHA_PORT", "9001")
    monkeypatch.setenv("SHIKSHA_ACCESS_TOKEN_TTL", "15m")
    monkeypatch.setenv("SHIKSHA_PASSWORD_HASH_COST", "minimum")
    config = shiksha.config_from_env()
    assert config.data_dir == tmp_path
    assert config.server.port == 9001
    assert config.auth.access_token_ttl == 900
    assert config.auth.password_hash_cost == "minimum"


def test_config_from_env_names_the_malformed_variable(monkeypatch):
    monkeypatch.setenv("SHIKSHA_PORT", "eighty")
    with pytest.raises(shiksha.InvalidArgumentError) as err:
        shiksha.config_from_env()
    assert err.value.field == "SHIKSHA_PORT"


def test_config_env_variables_lists_names_and_descriptions():
    names = [name for name, description in shiksha.config_env_variables()]
    assert "SHIKSHA_DATA_DIR" in names
    assert "SHIKSHA_JWT_SECRET" in names


def test_dev_jwt_secret_is_created_once_and_reused(tmp_path):
    first = shiksha.load_or_create_dev_jwt_secret(tmp_path / "dev")
    second = shiksha.load_or_create_dev_jwt_secret(str(tmp_path / "dev"))
    assert first == second
    assert len(first) >= 32
    assert oct(os.stat(tmp_path / "dev" / "dev-jwt-secret").st_mode & 0o777) == "0o600"


def test_platform_open_refuses_an_invalid_config(tmp_path):
    config = make_config(tmp_path)
    config.auth.jwt_secret = "short"
    with pytest.raises(shiksha.InvalidArgumentError):
        shiksha.Platform(config)
    with pytest.raises(shiksha.InvalidArgumentError):
        shiksha.Platform.open(config)


def test_platform_open_creates_the_data_dir(tmp_path):
    platform = shiksha.Platform.open(make_config(tmp_path / "a" / "b"))
    assert (tmp_path / "a" / "b" / "shiksha.db").exists()
    assert platform.schema_version >= 1
    assert platform.config.data_dir == tmp_path / "a" / "b"


def test_platform_config_is_a_copy(platform):
    copy = platform.config
    copy.workers = 99
    assert platform.config.workers == 2


def test_engines_keep_their_platform_alive(tmp_path):
    clusters = shiksha.Platform(make_config(tmp_path)).clusters
    assert clusters.count() == 0


def test_metrics_are_prometheus_text(platform):
    platform.auth.create_user("asha", "a long passphrase", "teacher")
    platform.auth.login("asha", "a long passphrase")
    text = platform.metrics_text()
    assert "# TYPE shiksha_auth_logins_total counter" in text
    assert 'shiksha_auth_logins_total{outcome="success"} 1' in text


def test_version_is_exposed():
    assert shiksha.version == shiksha.__version__
    assert shiksha.version.count(".") == 2


def test_ingest_embeddings_retrieval_and_net_defaults_match_the_library():
    config = shiksha.Config()
    assert config.ingest.ocr is True
    assert config.ingest.ocr_languages == "eng+hin"
    assert config.ingest.max_pdf_bytes == 50 * 1024 * 1024
    assert config.ingest.ocr_dpi == 200
    assert config.ingest.chunk_tokens == 300
    assert config.ingest.chunk_overlap == pytest.approx(0.15)
    assert config.embeddings.base_url == ""
    assert config.embeddings.model == "text-embedding-3-small"
    assert config.embeddings.dimension == 0
    assert config.retrieval.hnsw_m == 16
    assert config.retrieval.rrf_k == 60
    assert config.net.connect_timeout_ms == 10_000
    assert config.net.read_timeout_ms == 60_000
    assert config.net.backoff_base_ms == 500
    assert config.net.backoff_max_ms == 20_000
    assert config.net.max_attempts == 4
    assert config.server.allow_anonymous_upload is False


def test_new_nested_settings_are_changed_in_place():
    config = shiksha.Config()
    config.ingest.ocr = False
    config.ingest.ocr_languages = "eng+hin+mar"
    config.embeddings.base_url = "http://127.0.0.1:11434/v1"
    config.retrieval.hnsw_ef_search = 64
    config.net.read_timeout_ms = 1500
    config.net.https_proxy = "http://proxy.example:3128"
    assert config.ingest.ocr is False
    assert config.ingest.ocr_languages == "eng+hin+mar"
    assert config.embeddings.base_url == "http://127.0.0.1:11434/v1"
    assert config.retrieval.hnsw_ef_search == 64
    assert config.net.read_timeout_ms == 1500
    assert config.net.https_proxy == "http://proxy.example:3128"
    config.validate()


def test_validate_names_the_new_fields():
    for section, name, value in [
        ("ingest", "ocr_dpi", 10),
        ("ingest", "ocr_languages", "English"),
        ("embeddings", "base_url", "ftp://x"),
        ("retrieval", "hnsw_m", 1),
        ("net", "max_attempts", 0),
    ]:
        config = shiksha.Config()
        setattr(getattr(config, section), name, value)
        with pytest.raises(shiksha.InvalidArgumentError) as err:
            config.validate()
        assert err.value.field == f"{section}.{name}"


def test_reprs_never_show_keys_or_proxy_credentials():
    config = shiksha.Config()
    config.embeddings.api_key = "sk-very-secret-key"
    config.net.https_proxy = "http://user:hunter2@proxy.example:3128"
    assert "sk-very-secret-key" not in repr(config.embeddings)
    assert "***" in repr(config.embeddings)
    assert "hunter2" not in repr(config.net)
    assert "read_timeout_ms=60000" in repr(config.net)


def test_config_from_env_reads_ingest_and_proxy_variables(monkeypatch):
    monkeypatch.setenv("SHIKSHA_OCR", "false")
    monkeypatch.setenv("SHIKSHA_OCR_LANGUAGES", "eng")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    config = shiksha.config_from_env()
    assert config.ingest.ocr is False
    assert config.ingest.ocr_languages == "eng"
    assert config.net.https_proxy == "http://proxy.example:3128"
