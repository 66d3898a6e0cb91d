import sys
import threading

import shiksha

from conftest import PASSWORD, SAMPLE_PDF, SAMPLE_TITLE, make_config


def test_password_hashing_releases_the_gil(tmp_path):
    # "interactive" Argon2id takes a noticeable moment, which is the point: other Python
    # threads must keep running meanwhile.
    platform = shiksha.Platform(make_config(tmp_path, password_hash_cost="interactive"))
    entering = threading.Event()
    returned = threading.Event()
    failures = []

    def worker():
        try:
            entering.set()
            platform.auth.create_user("slow", PASSWORD, "viewer")
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
        finally:
            returned.set()

    # With a huge switch interval the interpreter never forces the worker to hand over the
    # GIL, so the main thread can only run while the worker is inside the call if the
    # binding released it. The verdict does not depend on how long anything takes.
    previous_interval = sys.getswitchinterval()
    sys.setswitchinterval(60.0)
    try:
        thread = threading.Thread(target=worker)
        thread.start()
        entering.wait()
        iterations_during_call = 0
        # Bounded, because once the call returns the worker waits for us to give the GIL back.
        while not returned.is_set() and iterations_during_call < 100_000:
            iterations_during_call += 1
        thread.join()
    finally:
        sys.setswitchinterval(previous_interval)

    assert not failures
    assert iterations_during_call > 0, "the main thread made no progress while create_user ran"
    assert platform.auth.find_user("slow").username == "slow"


def test_threads_can_share_a_platform(platform):
    failures = []

    def create(prefix):
        try:
            for i in range(10):
                platform.clusters.create(f"{prefix} cluster {i}", "Rural", "Hindi", "Low")
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=create, args=(p,)) for p in ("North", "South", "East")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    assert platform.clusters.count() == 30


def test_indexing_releases_the_gil(platform):
    # Same technique as above: reading, OCRing and embedding the sample takes a while, and the
    # main thread must be able to run Python meanwhile.
    manual = platform.manuals.upload_file(SAMPLE_PDF, title=SAMPLE_TITLE).manual
    entering = threading.Event()
    returned = threading.Event()
    failures = []

    def worker():
        try:
            entering.set()
            platform.manuals.index(manual.id)
        except BaseException as exc:
            failures.append(exc)
        finally:
            returned.set()

    previous_interval = sys.getswitchinterval()
    sys.setswitchinterval(60.0)
    try:
        thread = threading.Thread(target=worker)
        thread.start()
        entering.wait()
        iterations_during_call = 0
        while not returned.is_set() and iterations_during_call < 100_000:
            iterations_during_call += 1
        thread.join()
    finally:
        sys.setswitchinterval(previous_interval)

    assert not failures
    assert iterations_during_call > 0, "the main thread made no progress while index ran"
    assert platform.manuals.get(manual.id).indexed is True


def test_progress_runs_on_the_indexing_thread(platform):
    # The callback re-acquires the GIL on the thread that called index(), not on a library thread.
    manual = platform.manuals.upload_file(SAMPLE_PDF, title=SAMPLE_TITLE).manual
    seen_threads = set()
    failures = []

    def progress(done, total):
        seen_threads.add(threading.get_ident())

    def worker():
        try:
            platform.manuals.index(manual.id, progress=progress)
        except BaseException as exc:
            failures.append(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    # The main thread keeps running Python while the worker calls back into it.
    ticks = 0
    while thread.is_alive():
        ticks += 1
        thread.join(timeout=0.001)
    assert not failures
    assert seen_threads == {thread.ident}
    assert ticks > 0
