"""examples/notebooks/quickstart.ipynb is stored with its outputs, and they stay true: the
notebook is executed headless in a real Jupyter kernel (nbclient + ipykernel) and every
cell's outputs are compared with the stored ones, after normalising what legitimately
changes between runs (temporary paths, times, durations, addresses, image bytes).

To refresh the stored outputs after a deliberate change:
    SHIKSHA_NOTEBOOK_UPDATE=1 PYTHONPATH=build/release/bindings/python \\
        /usr/bin/python3 -m pytest -q bindings/python/tests/test_notebook.py
"""

import copy
import os
import re
import struct

import nbclient
import nbformat

from conftest import REPO

NOTEBOOK = REPO / "examples" / "notebooks" / "quickstart.ipynb"
VOLATILE = [
    (re.compile(r"/tmp/[\w./-]+"), "<tmp>"),
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?"), "<time>"),
    (re.compile(r"datetime\.datetime\([\d, ]+\)"), "<datetime>"),
    (re.compile(r"0x[0-9a-f]{6,}"), "<address>"),
    (re.compile(r"(_ms|seconds)=[\d.e+-]+"), r"\1=<duration>"),
]


def normalise_text(text):
    for pattern, replacement in VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def png_size(data):
    import base64

    raw = base64.b64decode(data)
    assert raw[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", raw[16:24])
    return f"<png {width}x{height}>"


def normalised_outputs(cell):
    out = []
    for o in cell.get("outputs", []):
        if o["output_type"] == "stream":
            # A kernel may flush one print() as one message or several: join consecutive ones.
            if out and out[-1][0] == "stream" and out[-1][1] == o["name"]:
                out[-1] = ("stream", o["name"], out[-1][2] + o["text"])
            else:
                out.append(("stream", o["name"], o["text"]))
        elif o["output_type"] in ("execute_result", "display_data"):
            data = {}
            for mime, value in o["data"].items():
                text = value if isinstance(value, str) else "".join(value)
                data[mime] = png_size(text) if mime == "image/png" else normalise_text(text)
            out.append((o["output_type"], tuple(sorted(data.items()))))
        else:
            out.append((o["output_type"], o.get("ename"), o.get("evalue")))
    return [(o[0], o[1], normalise_text(o[2])) if o[0] == "stream" else o for o in out]


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_notebook_is_stored_with_the_outputs_a_reader_needs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    cells = code_cells(nb)
    assert [c.execution_count for c in cells] == list(range(1, len(cells) + 1)), "run top to bottom"
    mimes = [m for c in cells for o in c.outputs for m in o.get("data", {})]
    assert all(o.output_type != "error" for c in cells for o in c.outputs)
    assert mimes.count("image/png") >= 2, "the PDF's first page and the feedback chart"
    assert mimes.count("text/html") >= 3, "tables of clusters, pages and search hits"
    assert "text/markdown" in mimes, "the module preview"
    for c in cells[:-1]:
        assert c.outputs, f"cell {c.id} has no stored output"
    for c in cells:
        assert not any(line.lstrip().startswith(("%", "!")) for line in c.source.splitlines()), "no magics"


def test_notebook_runs_headless_and_reproduces_its_outputs(monkeypatch):
    # The kernel starts in the notebook's directory: give it the module's path absolutely.
    paths = [os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths))
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # ipykernel's debugger chatter
    stored = nbformat.read(NOTEBOOK, as_version=4)
    executed = copy.deepcopy(stored)
    client = nbclient.NotebookClient(executed, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()  # raises CellExecutionError, with the traceback, when a cell fails

    if os.environ.get("SHIKSHA_NOTEBOOK_UPDATE") == "1":
        nbformat.write(executed, NOTEBOOK)
        stored = executed

    for before, after in zip(code_cells(stored), code_cells(executed)):
        assert normalised_outputs(after) == normalised_outputs(before), (
            f"cell {before.id} printed something else than the stored output; if that is intended, "
            "refresh the notebook (see this file's docstring)")
    # The run cleaned up after itself.
    assert not (NOTEBOOK.parent / "shiksha-data").exists()
