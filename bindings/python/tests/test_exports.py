"""PDF exports from Python: path and metadata, or bytes; records, download, delete, errors."""

import pathlib

import pytest
import shiksha

from conftest import SAMPLE_PDF, make_config


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    platform = shiksha.Platform(make_config(tmp_path_factory.mktemp("exports")))
    shiksha.seed_demo(platform)
    manual = platform.manuals.ingest(SAMPLE_PDF, title="Handbook").manual
    cluster = next(c for c in platform.clusters.list() if c.name == "Mumbai Urban Cluster")
    made = platform.modules.generate(manual.id, cluster.id, "Series and parallel circuits",
                                     target_language="english")
    return platform, made


def test_pdf_returns_a_recorded_file(module):
    platform, made = module
    pdf = platform.exports.pdf(made.id, include_original=True)
    assert isinstance(pdf.path, pathlib.Path)
    assert pdf.path.read_bytes().startswith(b"%PDF-")
    assert pdf.path.stat().st_size == pdf.size_bytes
    assert pdf.filename == "Module_Series_and_parallel_circuits_Mumbai_Urban_Cluster_English.pdf"
    assert pdf.pages >= 1 and pdf.language == "english" and len(pdf.sha256) == 64
    assert pdf.expires_at > pdf.created_at and pdf.downloaded_at is None
    assert pdf.to_dict()["filename"] == pdf.filename
    assert pdf.id in [f.id for f in platform.exports.list(made.id)]


def test_pdf_as_bytes_download_and_delete(module):
    platform, made = module
    data = platform.exports.pdf(made.id, page_size="Letter", as_bytes=True)
    assert isinstance(data, bytes) and data.startswith(b"%PDF-")
    newest = platform.exports.list(made.id)[0]
    assert platform.exports.download(newest.id) == data
    assert platform.exports.get(newest.id).downloaded_at is not None
    platform.exports.delete(newest.id)
    assert not newest.path.exists()
    with pytest.raises(shiksha.NotFoundError, match="PDF not found"):
        platform.exports.get(newest.id)


def test_errors_are_typed(module):
    platform, made = module
    with pytest.raises(shiksha.InvalidArgumentError) as bad_size:
        platform.exports.pdf(made.id, page_size="A3")
    assert bad_size.value.field == "page_size"
    with pytest.raises(shiksha.InvalidArgumentError):
        platform.exports.pdf(made.id, language="klingon")
    with pytest.raises(shiksha.NotFoundError):
        platform.exports.pdf(987654)
    # No translation provider is configured: asking for Tamil says so instead of printing English.
    with pytest.raises(shiksha.Error) as offline:
        platform.exports.pdf(made.id, language="tamil")
    assert offline.value.code != "internal"
