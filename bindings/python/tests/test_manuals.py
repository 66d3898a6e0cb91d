import datetime
import os
import pathlib
import signal
import sys
import threading

import pytest
import shiksha

from conftest import ENCRYPTED_PDF, SAMPLE_PDF, SAMPLE_TITLE, make_config


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    """The sample handbook ingested once (OCR makes indexing the slow part of this suite)."""
    platform = shiksha.Platform(make_config(tmp_path_factory.mktemp("manuals") / "data"))
    calls = []

    def progress(done, total):
        calls.append((done, total))

    report = platform.manuals.ingest(SAMPLE_PDF, title=SAMPLE_TITLE, progress=progress)
    return platform, report, calls


@pytest.fixture
def uploaded(platform):
    """The sample uploaded but not indexed."""
    return platform.manuals.upload_file(SAMPLE_PDF, title=SAMPLE_TITLE).manual


def test_ingest_indexes_every_page_of_the_sample(indexed):
    platform, report, _ = indexed
    assert isinstance(report, shiksha.IndexReport)
    manual = report.manual
    assert manual.indexed is True
    assert isinstance(manual.indexed_at, datetime.datetime)
    assert manual.total_pages == 8
    assert manual.filename == "low_cost_science_handbook.pdf"
    assert manual.title == SAMPLE_TITLE
    assert [p.page for p in report.pages] == list(range(1, 9))
    assert report.ocr_pages == 1
    assert manual.ocr_pages == 1
    assert report.chunks > 0
    assert manual.chunk_count == report.chunks
    assert report.headers_removed > 0  # the running header and footer
    assert report.seconds > 0
    assert platform.manuals.get(manual.id).to_dict() == manual.to_dict()


def test_progress_is_monotonic_and_ends_at_total(indexed):
    _, _, calls = indexed
    assert calls, "the progress callback was never called"
    dones = [done for done, _ in calls]
    totals = {total for _, total in calls}
    assert len(totals) == 1
    (total,) = totals
    assert total > 8  # the pages, then the embedding step
    assert dones == sorted(dones)
    assert dones[0] == 0
    assert dones[-1] == total


def test_pages_show_the_image_only_page_was_ocred(indexed):
    platform, report, _ = indexed
    pages = platform.manuals.pages(report.manual.id)
    assert [p.to_dict() for p in pages] == [p.to_dict() for p in report.pages]
    by_number = {p.page: p for p in pages}
    assert by_number[8].method == "ocr"
    assert by_number[8].chars > 0
    assert by_number[7].method == "text"  # real Unicode Hindi: the text layer is used
    assert by_number[2].method == "text"
    assert by_number[2].verdict == "readable"
    assert set(pages[0].to_dict()) == {"page", "method", "verdict", "reason", "chars"}


def test_chunks_carry_pages_and_sections(indexed):
    platform, report, _ = indexed
    chunks = platform.manuals.chunks(report.manual.id, limit=1000)
    assert len(chunks) == report.chunks
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    for chunk in chunks:
        assert chunk.manual_id == report.manual.id
        assert 1 <= chunk.page_start <= chunk.page_end <= 8
        assert chunk.text
        assert chunk.tokens > 0
    assert any("Electricity" in c.section for c in chunks)
    assert any(c.page_start <= 7 <= c.page_end and "प्रकाश" in c.text for c in chunks)
    assert set(chunks[0].to_dict()) == {
        "id", "manual_id", "ordinal", "page_start", "page_end", "section", "text", "tokens",
    }
    window = platform.manuals.chunks(report.manual.id, offset=1, limit=2)
    assert [c.id for c in window] == [c.id for c in chunks[1:3]]
    assert len(platform.manuals.chunks(report.manual.id)) == min(50, len(chunks))


def test_manual_to_dict_is_the_wire_form(indexed):
    _, report, _ = indexed
    wire = report.manual.to_dict()
    assert wire["id"] == report.manual.id
    assert wire["indexed"] is True
    assert wire["processed"] == "completed"
    assert wire["total_pages"] == 8
    assert wire["sha256"] == report.manual.sha256
    assert wire["upload_date"] == report.manual.upload_date.isoformat()


def test_duplicate_upload_returns_the_existing_manual(platform):
    data = SAMPLE_PDF.read_bytes()
    first = platform.manuals.upload(data, title=SAMPLE_TITLE, filename="handbook.pdf")
    assert first.duplicate is False
    assert first.manual.filename == "handbook.pdf"
    again = platform.manuals.upload(data, title="Another title")
    assert again.duplicate is True
    assert again.manual.id == first.manual.id
    from_file = platform.manuals.upload_file(str(SAMPLE_PDF), title=SAMPLE_TITLE)
    assert from_file.duplicate is True
    assert platform.manuals.count() == 1


def test_upload_file_takes_the_paths_name_unless_given(platform, tmp_path):
    copy = tmp_path / "copy of handbook.pdf"
    copy.write_bytes(SAMPLE_PDF.read_bytes() + b"\n")  # other bytes, so not a duplicate
    named = platform.manuals.upload_file(SAMPLE_PDF, title=SAMPLE_TITLE, filename="shown.pdf")
    assert named.manual.filename == "shown.pdf"
    unnamed = platform.manuals.upload_file(copy, title=SAMPLE_TITLE)
    assert unnamed.manual.filename == "copy of handbook.pdf"


def test_bytes_that_are_not_a_pdf_are_invalid(platform):
    with pytest.raises(shiksha.InvalidArgumentError) as err:
        platform.manuals.upload(b"hello", title=SAMPLE_TITLE)
    assert err.value.field == "file"
    assert platform.manuals.count() == 0


def test_upload_wants_bytes_not_a_str(platform):
    with pytest.raises(TypeError):
        platform.manuals.upload(str(SAMPLE_PDF), title=SAMPLE_TITLE)


def test_a_truncated_pdf_is_invalid(platform):
    data = SAMPLE_PDF.read_bytes()
    with pytest.raises(shiksha.InvalidArgumentError) as err:
        platform.manuals.upload(data[: len(data) // 2], title=SAMPLE_TITLE)
    assert err.value.field == "file"
    assert "truncated" in str(err.value).lower()


def test_a_password_protected_pdf_is_invalid(platform):
    with pytest.raises(shiksha.InvalidArgumentError) as err:
        platform.manuals.ingest(ENCRYPTED_PDF, title=SAMPLE_TITLE)
    assert err.value.field == "file"
    assert "password" in str(err.value).lower()
    assert platform.manuals.count() == 0


def test_a_missing_file_is_invalid(platform, tmp_path):
    with pytest.raises(shiksha.InvalidArgumentError) as err:
        platform.manuals.upload_file(tmp_path / "absent.pdf", title=SAMPLE_TITLE)
    assert err.value.field == "file"


def test_title_is_validated(platform):
    with pytest.raises(shiksha.InvalidArgumentError) as err:
        platform.manuals.upload(SAMPLE_PDF.read_bytes(), title="X")
    assert err.value.field == "title"


def test_ingest_without_index_returns_the_upload(platform):
    result = platform.manuals.ingest(SAMPLE_PDF.read_bytes(), title=SAMPLE_TITLE, index=False)
    assert isinstance(result, shiksha.UploadResult)
    assert result.duplicate is False
    assert result.manual.filename == "manual.pdf"  # bytes without a name
    assert result.manual.indexed is False
    assert platform.manuals.pages(result.manual.id) == []
    assert platform.manuals.chunks(result.manual.id) == []


def test_ingest_refuses_what_is_neither_bytes_nor_a_path(platform):
    with pytest.raises(TypeError):
        platform.manuals.ingest(12345, title=SAMPLE_TITLE)
    with pytest.raises(TypeError):
        platform.manuals.ingest(SAMPLE_PDF, title=SAMPLE_TITLE, progress="not callable")


def test_returning_false_from_progress_cancels(platform, uploaded):
    calls = []

    def stop_at_third_page(done, total):
        calls.append(done)
        return done < 2

    with pytest.raises(shiksha.DeadlineExceededError) as err:
        platform.manuals.index(uploaded.id, progress=stop_at_third_page)
    assert err.value.code == "deadline_exceeded"
    assert calls == [0, 1, 2]  # nothing after the refusal
    manual = platform.manuals.get(uploaded.id)
    assert manual.indexed is False
    assert manual.chunk_count == 0
    assert platform.manuals.pages(uploaded.id) == []


def test_ingest_cancelled_by_progress_keeps_the_upload_unindexed(platform):
    with pytest.raises(shiksha.DeadlineExceededError):
        platform.manuals.ingest(SAMPLE_PDF, title=SAMPLE_TITLE, progress=lambda done, total: False)
    (manual,) = platform.manuals.list()
    assert manual.indexed is False


def test_an_exception_in_progress_cancels_and_is_re_raised(platform, uploaded):
    calls = []

    def boom(done, total):
        calls.append(done)
        raise ValueError("teacher pressed stop")

    with pytest.raises(ValueError, match="teacher pressed stop"):
        platform.manuals.index(uploaded.id, progress=boom)
    assert calls == [0]
    assert platform.manuals.get(uploaded.id).indexed is False
    assert platform.manuals.chunks(uploaded.id) == []


def test_ctrl_c_interrupts_indexing_without_a_progress_callback(platform, uploaded):
    # Between pages the binding checks for signals, so a notebook's "interrupt kernel" works.
    go = threading.Event()

    def press_ctrl_c():
        go.wait()  # returns only once the main thread has released the GIL inside index()
        signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)

    previous_interval = sys.getswitchinterval()
    sys.setswitchinterval(60.0)
    sender = threading.Thread(target=press_ctrl_c)
    try:
        sender.start()
        with pytest.raises(KeyboardInterrupt):
            go.set()
            platform.manuals.index(uploaded.id)
    finally:
        sys.setswitchinterval(previous_interval)
        sender.join()
    assert platform.manuals.get(uploaded.id).indexed is False


def test_truthy_and_none_returns_keep_going(platform, uploaded):
    answers = iter([None, True, 1, "yes"])
    report = platform.manuals.index(uploaded.id, progress=lambda done, total: next(answers, None))
    assert report.manual.indexed is True


def test_index_async_runs_as_a_job(platform, uploaded):
    job = platform.manuals.index_async(uploaded.id)
    assert isinstance(job, shiksha.Job)
    assert job.kind == "manual.index"
    assert job.id
    final = platform.jobs.wait(job.id)
    assert final.id == job.id
    assert final.state == shiksha.JobState.succeeded
    assert final.percent == 100
    assert final.error is None
    assert final.result["chunks"] > 0
    assert final.result["manual"]["id"] == uploaded.id
    assert len(final.result["pages"]) == 8
    assert isinstance(final.created_at, datetime.datetime)
    assert final.created_by is None
    assert platform.manuals.get(uploaded.id).indexed is True
    assert platform.jobs.get(job.id).state == shiksha.JobState.succeeded
    assert job.id in [j.id for j in platform.jobs.list(kind="manual.index")]
    wire = final.to_dict()
    assert wire["state"] == "succeeded"
    assert wire["percent"] == 100
    with pytest.raises(shiksha.ConflictError):
        platform.jobs.cancel(job.id)


def test_a_failed_job_carries_its_error(platform, uploaded):
    os.remove(platform.manuals.file_path(uploaded.id))
    final = platform.jobs.wait(platform.manuals.index_async(uploaded.id).id)
    assert final.state == shiksha.JobState.failed
    assert isinstance(final.error, shiksha.UnavailableError)
    assert final.error.code == "unavailable"
    assert final.to_dict()["error"]["code"] == "unavailable"


def test_unknown_ids_are_not_found(platform):
    for call in (
        lambda: platform.manuals.get(999),
        lambda: platform.manuals.index(999),
        lambda: platform.manuals.index_async(999),
        lambda: platform.manuals.chunks(999),
        lambda: platform.manuals.pages(999),
        lambda: platform.manuals.file_path(999),
        lambda: platform.manuals.delete(999),
        lambda: platform.jobs.get("no-such-job"),
    ):
        with pytest.raises(shiksha.NotFoundError):
            call()


def test_pin_list_and_delete(platform, uploaded):
    other = platform.manuals.upload(SAMPLE_PDF.read_bytes() + b"\n", title="Second copy").manual
    assert [m.id for m in platform.manuals.list()] == [other.id, uploaded.id]  # newest first
    assert platform.manuals.toggle_pin(uploaded.id).pinned is True
    assert [m.id for m in platform.manuals.list()] == [uploaded.id, other.id]  # pinned first
    assert len(platform.manuals.list(limit=1)) == 1
    assert platform.manuals.toggle_pin(uploaded.id).pinned is False

    path = platform.manuals.file_path(uploaded.id)
    assert isinstance(path, pathlib.Path)
    assert path.name == uploaded.sha256 + ".pdf"
    assert path.read_bytes() == SAMPLE_PDF.read_bytes()
    platform.manuals.delete(uploaded.id)
    assert not path.exists()
    assert platform.manuals.count() == 1
    with pytest.raises(shiksha.InvalidArgumentError):
        platform.manuals.list(limit=0)


def test_jobs_wait_with_a_timeout_returns_the_job_as_it_is(platform):
    up = platform.manuals.upload_file(SAMPLE_PDF, title="Timeout check")
    job = platform.manuals.index_async(up.manual.id)
    snapshot = platform.jobs.wait(job.id, timeout=0)
    assert snapshot.id == job.id
    final = platform.jobs.wait(job.id)
    assert final.state == shiksha.JobState.succeeded
    assert final.result["manual"]["id"] == up.manual.id
