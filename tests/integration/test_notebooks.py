"""Every notebook runs top to bottom in a real Jupyter kernel (nbclient + ipykernel), with notebooks/ as the
working directory, as a reader would run it; the analysis notebooks' outputs are checked: a graph, a centrality
table, a timeline, the Cypher exploration's rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

FOLDER = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("*.ipynb"))
LOCOMO = FOLDER.parents[1] / "shared" / "data" / "locomo-dev" / "26.json"


def run(path: Path) -> list[dict[str, Any]]:
    """Execute the notebook; its code cells' outputs, one list per cell. A kernel that fails to start (seen
    once on a loaded machine: nbclient's cleanup asserted on a kernel manager that never came up) is started
    again once, as long as no cell has run; a cell's own error is never retried."""
    for attempt in (1, 2):
        notebook = nbformat.read(path, as_version=4)
        client = NotebookClient(notebook, timeout=300, startup_timeout=180, kernel_name="python3",
                                resources={"metadata": {"path": str(FOLDER)}})
        try:
            client.execute()
        except (AssertionError, RuntimeError, TimeoutError):
            ran = any(cell.get("execution_count") for cell in notebook.cells if cell.cell_type == "code")
            if ran or attempt == 2:
                raise
            continue
        return [cell.outputs for cell in notebook.cells if cell.cell_type == "code"]
    raise AssertionError("unreachable")


def texts(outputs: list[list[dict[str, Any]]]) -> str:
    parts = []
    for cell in outputs:
        for output in cell:
            parts.append(output.get("text", ""))
            parts.extend(str(v) for k, v in output.get("data", {}).items() if k.startswith("text/"))
    return "\n".join(parts)


def kinds(outputs: list[list[dict[str, Any]]]) -> list[str]:
    return [kind for cell in outputs for output in cell for kind in output.get("data", {})]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path) -> None:
    if path.stem == "analyse_agent_memory" and not LOCOMO.exists():
        pytest.skip(f"the LOCOMO conversation is not at {LOCOMO}")
    outputs = run(path)
    assert not [o for cell in outputs for o in cell if o.get("output_type") == "error"]
    if path.stem == "analyse_agent_memory":
        shown = texts(outputs)
        assert "cytoscape" in shown and "| entity | PageRank |" in shown  # the graph view, the centrality table
        assert "| Caroline |" in shown and "community 1:" in shown and "added " in shown
        assert kinds(outputs).count("image/png") >= 2  # the central entities and the timeline
    if path.stem == "cypher_exploration":
        shown = texts(outputs)
        assert "John | works_at | OpenAI" in shown and "OpenAI - John - Sarah - Berlin | 3" in shown
        assert "caption: \"{name}\"" in shown and "parameter lines" in shown
