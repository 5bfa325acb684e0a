"""Rich display in Jupyter (JupyterLab, classic Notebook, VS Code): offline, nothing fetched from a CDN.

    from graphmem.ui.display import show_results, show_graph
    show_results(memory.search("food", user_id="alex"))   # a table: memory, score, time; and the relations
    show_graph(memory.graph(user_id="alex"))              # an interactive graph: pan, zoom, hover for facts

Both return objects with `_repr_html_` and `_repr_mimebundle_` (a text/plain summary too, for consoles).
The graph view inlines the vendored cytoscape.js once per output; it is loaded with AMD and CommonJS hidden,
so classic Notebook's RequireJS does not swallow it.
"""

from __future__ import annotations

import html
import json
import uuid
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

VENDORED = Path(__file__).with_name("static") / "vendor" / "cytoscape.min.js"
MOST_ELEMENTS = 3000  # more than this and a notebook output gets heavy: the view says so and shows the first ones


@cache
def _library() -> str:
    return VENDORED.read_text("utf-8").replace("</script", "<\\/script")


class SearchView:
    """Search results (mem0's `{"results", "relations"}`) as tables."""

    def __init__(self, found: dict[str, Any]) -> None:
        self.found = found

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{_e(r.get('memory'))}</td><td>{_score(r.get('score'))}</td>"
                       f"<td>{_e((r.get('created_at') or '')[:19])}</td></tr>" for r in self.found.get("results", []))
        relations = "".join(f"<tr><td>{_e(r.get('source'))}</td><td>{_e(r.get('relationship'))}</td>"
                            f"<td>{_e(r.get('target'))}</td><td>{_e(r.get('fact'))}</td></tr>"
                            for r in self.found.get("relations", []))
        return ('<div class="graphmem-results"><table><thead><tr><th>memory</th><th>score</th><th>time</th></tr>'
                f"</thead><tbody>{rows}</tbody></table>"
                + (f"<table><thead><tr><th>source</th><th>relationship</th><th>target</th><th>fact</th></tr></thead>"
                   f"<tbody>{relations}</tbody></table>" if relations else "") + "</div>")

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/html": self._repr_html_(), "text/plain": self.__repr__()}

    def __repr__(self) -> str:
        lines = [f"{_score(r.get('score'))}  {r.get('memory')}" for r in self.found.get("results", [])]
        lines += [f"{r.get('source')} -{r.get('relationship')}-> {r.get('target')}"
                  for r in self.found.get("relations", [])]
        return "\n".join(lines) or "(no results)"


class GraphView:
    """A graph drawn by `memory.graph()`, as an interactive cytoscape.js view."""

    def __init__(self, graph: nx.MultiDiGraph, height: int = 420) -> None:
        self.graph = graph
        self.height = height

    def elements(self) -> list[dict[str, Any]]:
        from graphmem.ui.views import elements

        drawn = elements(self.graph)
        return [*drawn["nodes"][:MOST_ELEMENTS], *drawn["edges"][:MOST_ELEMENTS]]

    def _repr_html_(self) -> str:
        box = f"graphmem-{uuid.uuid4().hex}"
        data = json.dumps(self.elements()).replace("</", "<\\/")
        return (f'<div id="{box}" style="width:100%;height:{self.height}px;border:1px solid #ddd"></div>'
                f'<div id="{box}-hover" style="font:12px sans-serif;color:#555;min-height:1.2em"></div>'
                "<script>(function(){"
                "if(!window.cytoscape){(function(define,module,exports){" + _library() + "}).call(window);}"
                f"var cy=window.cytoscape({{container:document.getElementById('{box}'),elements:{data},"
                "layout:{name:'cose',animate:false},style:" + _STYLE + "});"
                f"var hover=document.getElementById('{box}-hover');"
                "cy.on('mouseover','edge,node',function(e){var d=e.target.data();"
                "hover.textContent=d.fact||d.text||d.label||'';});"
                "})();</script>")

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/html": self._repr_html_(), "text/plain": self.__repr__()}

    def __repr__(self) -> str:
        kinds: dict[str, int] = {}
        for _, kind in self.graph.nodes(data="kind"):
            kinds[str(kind)] = kinds.get(str(kind), 0) + 1
        counts = ", ".join(f"{n} {k} nodes" for k, n in sorted(kinds.items()))
        return f"graphmem graph: {counts or 'no nodes'}, {self.graph.number_of_edges()} edges"


_STYLE = json.dumps([
    {"selector": "node", "style": {"label": "data(label)", "font-size": 9}},
    {"selector": "node[kind = 'entity']", "style": {"background-color": "#4C8EDA"}},
    {"selector": "node[kind = 'memory']", "style": {"background-color": "#F79767", "shape": "round-rectangle"}},
    {"selector": "node[kind = 'episode']", "style": {"background-color": "#8DCC93"}},
    {"selector": "edge", "style": {"width": 1, "curve-style": "bezier", "target-arrow-shape": "triangle"}},
    {"selector": "edge[kind = 'relates']", "style": {"label": "data(label)", "font-size": 8}},
])


def show_results(found: dict[str, Any]) -> SearchView:
    return SearchView(found)


def show_graph(graph: nx.MultiDiGraph, height: int = 420) -> GraphView:
    return GraphView(graph, height)


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _score(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, int | float) else ""
