"""Ctrl-C during a long call: SIGINT raised in this process while the library works without
the GIL becomes a KeyboardInterrupt in the caller, and the work is cancelled (nothing is
stored). The signal is sent by a helper thread at a moment the test controls, never after a
sleep."""

import http.server
import json
import os
import re
import signal
import sys
import threading

import pytest
import shiksha

from conftest import SAMPLE_PDF, SAMPLE_TITLE, make_config


def send_sigint_when(event, then=None):
    """A thread that waits for `event`, sends SIGINT to this process, then sets `then`."""

    def run():
        event.wait(timeout=60)
        os.kill(os.getpid(), signal.SIGINT)
        if then is not None:
            then.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_ctrl_c_while_indexing_cancels_it(platform):
    manual = platform.manuals.upload_file(SAMPLE_PDF, title=SAMPLE_TITLE).manual
    started, sent = threading.Event(), threading.Event()
    calls = []

    def progress(done, total):
        calls.append(done)
        if len(calls) == 1:
            started.set()  # the helper sends SIGINT while the library reads the next page
        else:
            sent.wait(timeout=60)  # if the signal is not handled yet, it is once this returns
        return True

    helper = send_sigint_when(started, then=sent)
    with pytest.raises(KeyboardInterrupt):
        platform.manuals.index(manual.id, progress=progress)
    helper.join()
    # Cancelled before the commit: the manual is as it was (never indexed).
    again = platform.manuals.get(manual.id)
    assert not again.indexed and again.chunk_count == 0
    assert platform.manuals.chunks(manual.id) == []
    assert len(calls) < 9, "indexing ran to the end although Ctrl-C came after the first page"


class SlowChatModel(http.server.BaseHTTPRequestHandler):
    """An OpenAI-compatible /chat/completions that holds each request until `release` is set,
    then answers with a valid module citing the first excerpt of the prompt."""

    received = threading.Event()
    release = threading.Event()
    requests = 0

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests += 1
        type(self).received.set()
        type(self).release.wait(timeout=60)
        prompt = body["messages"][-1]["content"]
        chunk_id, first, last = (int(x) for x in re.search(r"\[chunk_id=(\d+), pages (\d+)-(\d+)", prompt).groups())
        module = {
            "title": "Circuits", "summary": "A short module.",
            "sections": [{"heading": "Idea", "text": "Cells in series."}],
            "teaching_tips": ["Use torch cells."],
            "activities": [{"title": "Build it", "materials": ["cell"], "steps": ["Connect"], "duration": "10 min"}],
            "assessment": [{"question": "Why?", "answer": "Because."}],
            "citations": [{"chunk_id": chunk_id, "page_start": first, "page_end": last, "excerpt": "x"}],
        }
        reply = json.dumps({"id": "c1", "object": "chat.completion", "model": body["model"],
                            "choices": [{"index": 0, "finish_reason": "stop",
                                         "message": {"role": "assistant", "content": json.dumps(module)}}],
                            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


@pytest.fixture
def slow_model():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowChatModel)
    SlowChatModel.received.clear()
    SlowChatModel.release.clear()
    SlowChatModel.requests = 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    SlowChatModel.release.set()
    server.shutdown()
    thread.join()


def test_ctrl_c_while_the_model_answers_stores_no_module(tmp_path, slow_model):
    config = make_config(tmp_path / "data")
    config.llm.base_url = slow_model
    config.llm.model = "slow-model"
    platform = shiksha.Platform(config)
    assert platform.modules.adapter == "llm"
    manual = platform.manuals.ingest(SAMPLE_PDF, title=SAMPLE_TITLE).manual
    cluster = platform.clusters.create("Interrupted cluster", "Rural", "Hindi", "Low")

    # SIGINT arrives while the request is held by the model. The model answers only once the
    # binding has seen the signal: the handler below runs inside the binding's signal check,
    # on the main thread, which then cancels the call before it gives the GIL back (a long
    # switch interval keeps the interpreter from handing the GIL over earlier).
    seen = threading.Event()

    def on_sigint(signum, frame):
        seen.set()
        raise KeyboardInterrupt

    previous_handler = signal.signal(signal.SIGINT, on_sigint)
    previous_interval = sys.getswitchinterval()
    sys.setswitchinterval(60.0)
    try:
        helper = send_sigint_when(SlowChatModel.received)
        releaser = threading.Thread(target=lambda: (seen.wait(timeout=60), SlowChatModel.release.set()))
        releaser.start()
        with pytest.raises(KeyboardInterrupt):
            platform.modules.generate(manual.id, cluster.id, "Series and parallel circuits",
                                      target_language="english")
    finally:
        sys.setswitchinterval(previous_interval)
        signal.signal(signal.SIGINT, previous_handler)
    helper.join()
    releaser.join()
    assert SlowChatModel.requests == 1
    assert platform.modules.count() == 0

    # Without Ctrl-C the same model's answer becomes a module: the test above is not vacuous.
    SlowChatModel.release.set()
    module = platform.modules.generate(manual.id, cluster.id, "Series and parallel circuits",
                                       target_language="english")
    assert module.generation.model == "slow-model" and platform.modules.count() == 1
