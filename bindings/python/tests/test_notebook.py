"""examples/notebook.ipynb must keep working: every code cell runs, in order, in one namespace,
the way a kernel would run "Run All". Only the public Python API and no network are used."""

import json

import pytest

from conftest import REPO

NOTEBOOK = REPO / "examples" / "notebook.ipynb"


def load_notebook():
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))


def code_cells(notebook):
    return ["".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code"]


def test_notebook_is_nbformat_4_without_stored_outputs():
    notebook = load_notebook()
    assert notebook["nbformat"] == 4
    assert notebook["metadata"]["kernelspec"]["language"] == "python"
    ids = [cell["id"] for cell in notebook["cells"]]
    assert len(ids) == len(set(ids))
    for cell in notebook["cells"]:
        assert cell["cell_type"] in ("markdown", "code")
        assert isinstance(cell["source"], list)
        if cell["cell_type"] == "code":
            # Outputs would go stale; the notebook is checked in clean.
            assert cell["outputs"] == []
            assert cell["execution_count"] is None
            assert not any(line.lstrip().startswith(("%", "!")) for line in cell["source"]), "no magics"


def test_every_code_cell_runs_in_order(monkeypatch, capsys):
    # Jupyter starts the kernel in the notebook's directory.
    monkeypatch.chdir(NOTEBOOK.parent)
    namespace = {"__name__": "__main__"}
    for number, source in enumerate(code_cells(load_notebook()), start=1):
        try:
            exec(compile(source, f"{NOTEBOOK.name}, code cell {number}", "exec"), namespace)
        except Exception as exc:
            pytest.fail(f"code cell {number} raised {exc!r}\n--- cell ---\n{source}")
    output = capsys.readouterr().out

    assert namespace["demo"].users_created == 7
    assert namespace["report"].ocr_pages == 1
    assert "page 8: ocr" in output
    assert namespace["english"].hits[0].page_start == 2
    hindi_top = namespace["hindi"].hits[0]
    assert hindi_top.page_start <= 7 <= hindi_top.page_end
    assert namespace["vectors"].shape == (2, 384)
    assert 0.0 < namespace["cosine"] < 1.0
    assert "cosine similarity" in output
    # The last cell closed the platform and removed its scratch directory.
    assert "platform" not in namespace
    assert not (REPO / "examples" / "shiksha-data").exists()
