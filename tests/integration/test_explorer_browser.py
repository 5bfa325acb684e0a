"""The explorer page in headless Chromium (Debian's, driven by Playwright) against a real Kuzu store holding the
known conversation: search, the graph around a result, expanding a node by clicking it, the as-of slider,
a memory's provenance and history, edit and delete; and its JSON API over real HTTP. And the page at /ui of
`graphmem serve`, which asks for an API key."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from explorer_support import CHROMIUM, CHROMIUM_ARGS, free_port, running, serving
from graph_support import BEFORE_MOVE, USER, known_store, store_config

from graphmem import Memory
from graphmem.ui.display import show_graph

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")

RELATIONS = """() => window.explorer.cy.edges("[kind = 'relates']").map(
    (e) => e.source().data('label') + ' ' + e.data('label') + ' ' + e.target().data('label'))"""
NODES = "() => window.explorer.cy.nodes().map((n) => n.data('label'))"


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("explorer") / "db"
    with known_store(db):
        pass
    with serving(db) as base:
        yield base


@pytest.fixture
def page(url: str, tmp_path: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1400, "height": 900})
            tab.goto(f"{url}?user_id={USER}")
            until(tab, "window.explorer && window.explorer.renders >= 1")
            yield tab
            tab.screenshot(path=str(tmp_path / "explorer.png"))
            assert (tmp_path / "explorer.png").stat().st_size > 10_000
        finally:
            browser.close()


def until(page: Any, expression: str, timeout: float = 30.0) -> None:
    """Wait until the page's `expression` is true. Polled from here: Playwright's wait_for_function evaluates
    its string inside the page, which the page's Content-Security-Policy forbids (no eval), as it should."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(50)


def settled(page: Any, action: Any) -> None:
    """Run `action` and wait until the page has drawn the graph again."""
    before = page.evaluate("window.explorer.renders")
    action()
    until(page, f"window.explorer.renders > {before}")


def test_search_shows_the_memory_first_and_the_graph_around_it(page: Any) -> None:
    settled(page, lambda: (page.fill("#query", "Where does alex live?"), page.click("#search-button")))
    first = page.locator(".result .memory").first
    assert first.inner_text() == "alex lives in Berlin"
    relations = page.evaluate(RELATIONS)
    assert "alex lives_in Berlin" in relations and "alex likes pepperoni pizza" in relations
    assert "alex lives_in Paris" not in relations  # superseded: not now
    page.wait_for_selector("#details .sources li")
    assert "I moved from Paris to Berlin" in page.inner_text("#details .sources")
    assert page.locator("#details .history li").count() >= 1


def test_the_as_of_slider_hides_a_superseded_relation(page: Any) -> None:
    settled(page, lambda: (page.fill("#query", "Where does alex live?"), page.click("#search-button")))
    slide = "(el, v) => { el.value = v; el.dispatchEvent(new Event('input')); }"
    before_move = page.evaluate(f"Date.parse('{BEFORE_MOVE}')")
    settled(page, lambda: page.eval_on_selector("#asof", slide, before_move))
    assert page.inner_text("#asof-label") == BEFORE_MOVE[:10]
    then = page.evaluate(RELATIONS)
    assert "alex lives_in Paris" in then and "alex lives_in Berlin" not in then
    settled(page, lambda: page.eval_on_selector("#asof", slide, page.eval_on_selector("#asof", "el => el.max")))
    now = page.evaluate(RELATIONS)
    assert "alex lives_in Paris" not in now and "alex lives_in Berlin" in now


def test_clicking_an_entity_expands_the_graph(page: Any) -> None:
    settled(page, lambda: (page.fill("#query", "violin orchestra"), page.click("#search-button")))
    assert page.locator(".result .memory").first.inner_text() == "Sarah plays the violin in an orchestra"
    assert "John" in page.evaluate(NODES) and "OpenAI" not in page.evaluate(NODES)
    box = page.locator("#graph").bounding_box()
    where = page.evaluate("""() => { const p = window.explorer.cy.nodes("[label = 'John']").renderedPosition();
                                     return [p.x, p.y]; }""")
    settled(page, lambda: page.mouse.click(box["x"] + where[0], box["y"] + where[1]))
    assert "John works_at OpenAI" in page.evaluate(RELATIONS)


def test_the_api_edits_and_deletes_and_names_bad_input(url: str) -> None:
    with httpx.Client(base_url=url, timeout=30) as client:
        assert {"user_id": USER, "agent_id": None, "run_id": None} in client.get("api/scopes").json()
        graph = client.get("api/graph", params={"user_id": USER}).json()
        assert graph["times"]["first"].startswith("2023-01-10")
        violin = next(n["data"] for n in graph["nodes"] if n["data"].get("text", "").startswith("Sarah plays"))
        edited = client.put(f"api/memories/{violin['id']}", json={"text": "Sarah plays the cello"})
        assert edited.status_code == 200
        details = client.get(f"api/memories/{violin['id']}").json()
        assert details["memory"]["memory"] == "Sarah plays the cello"
        assert [h["event"] for h in details["history"]] == ["ADD", "UPDATE"]
        assert client.put(f"api/memories/{violin['id']}", json={"text": ""}).json()["field"] == "text"
        assert client.delete(f"api/memories/{violin['id']}").status_code == 200
        assert client.get(f"api/memories/{violin['id']}").status_code == 404
        assert client.get("api/search", params={"q": "x", "user_id": USER, "as_of": "soon"}).json()["field"] == "as_of"
        assert "cytoscape" in client.get("").text and client.get("static/vendor/cytoscape.min.js").status_code == 200


def test_the_notebook_graph_view_draws_offline_even_beside_requirejs(tmp_path: Path) -> None:
    """The display's HTML, as Jupyter inserts it, in a page with an AMD loader (classic Notebook's RequireJS)
    and no network: cytoscape still loads from the inlined copy and draws the graph."""
    from playwright.sync_api import sync_playwright

    with Memory({"graph_store": {"provider": "kuzu", "config": {"db": ":memory:"}},
                 "embedder": {"provider": "hash"}}) as memory:
        memory.add("John works at OpenAI and is friends with Sarah.", user_id="u")
        html = show_graph(memory.graph(user_id="u"))._repr_html_()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page()
            tab.route("**/*", lambda route: route.abort())  # offline: any fetch would fail
            tab.set_content("<script>window.define = function () {}; window.define.amd = {};</script>"
                            "<div id='cell'></div>")
            tab.evaluate("""(html) => { const cell = document.getElementById('cell'); cell.innerHTML = html;
                for (const old of cell.querySelectorAll('script')) {  // as Jupyter runs an output's scripts
                    const run = document.createElement('script'); run.textContent = old.textContent;
                    old.replaceWith(run); } }""", html)
            assert tab.evaluate("typeof window.cytoscape") == "function"
            assert tab.locator("#cell canvas").count() >= 1
            tab.screenshot(path=str(tmp_path / "notebook-graph.png"))
        finally:
            browser.close()


def test_the_ui_command_serves_the_page(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"embedder": {"provider": "hash"}}), "utf-8")
    port = free_port()
    command = [sys.executable, "-m", "graphmem.cli", "ui", "--port", str(port), "--db", str(tmp_path / "db"),
               "--config", str(config)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, "graphmem ui did not start"
                time.sleep(0.2)
        assert page.status_code == 200 and "graphmem explorer" in page.text
        assert httpx.get(f"http://127.0.0.1:{port}/api/scopes", timeout=5).json() == []
    finally:
        server.terminate()
        server.wait(timeout=30)
        for stream in (server.stdout, server.stderr):
            if stream is not None:
                stream.close()


def test_a_memory_is_edited_and_deleted_from_the_page(page: Any) -> None:
    settled(page, lambda: (page.fill("#query", "pepperoni pizza"), page.click("#search-button")))
    assert page.locator(".result .memory").first.inner_text() == "alex likes pepperoni pizza"
    page.wait_for_selector("#details #edit-text")
    page.fill("#edit-text", "alex likes margherita pizza")
    settled(page, lambda: page.click("#save"))
    until(page, "document.querySelector('.result .memory').textContent === 'alex likes margherita pizza'")
    until(page, "document.querySelectorAll('#details .history li').length === 3")  # ADD, UPDATE, UPDATE
    assert "margherita" in page.inner_text("#details .history")
    settled(page, lambda: page.click("#delete"))
    until(page, "document.querySelector('#details').textContent.includes('Deleted.')")
    assert "alex likes margherita pizza" not in page.inner_text("#results")


def test_the_page_works_mounted_under_ui(tmp_path: Path) -> None:
    """Mounted under a prefix of another app: `app.mount("/ui", create_app(memory))`; the page's URLs are
    relative."""
    from playwright.sync_api import sync_playwright

    db = tmp_path / "db"
    with known_store(db):
        pass
    with serving(db, prefix="/ui") as base, sync_playwright() as playwright:
        assert base.endswith("/ui/")
        assert httpx.get(base[:-1], follow_redirects=True, timeout=10).status_code == 200
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page()
            tab.goto(f"{base}?user_id={USER}")
            until(tab, "window.explorer && window.explorer.renders >= 1")
            settled(tab, lambda: (tab.fill("#query", "Where does alex live?"), tab.click("#search-button")))
            assert tab.locator(".result .memory").first.inner_text() == "alex lives in Berlin"
        finally:
            browser.close()


def test_the_page_at_ui_of_the_server_asks_for_a_key(tmp_path: Path) -> None:
    """`graphmem serve` serves the page at /ui: it asks for a key (a wrong one: it asks again), then searches
    the key's tenant, which holds memories added through mem0's REST API (another tenant's are not shown)."""
    from playwright.sync_api import sync_playwright

    from graphmem.server.app import ServerSettings
    from graphmem.server.app import create_app as server_app
    from graphmem.server.state import ServerState

    state = ServerState(tmp_path / "state.sqlite3")
    (key, _), (other, _) = state.create_key("acme", "p1"), state.create_key("globex", "p1")
    state.close()
    app = server_app(store_config(tmp_path / "db"), ServerSettings(state_path=tmp_path / "state.sqlite3"))
    with running(app) as base, sync_playwright() as playwright:
        said_to = ((key, "alex lives in Berlin"), (key, "alex likes ice cream"), (other, "alex lives in Rome"))
        for token, said in said_to:
            added = httpx.post(f"{base}/v3/memories/add/", headers={"Authorization": f"Token {token}"}, timeout=60,
                               json={"messages": said, "user_id": USER, "infer": False})
            assert added.status_code == 200, added.text
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1400, "height": 900})
            blocked: list[str] = []  # what the page's Content-Security-Policy stopped: nothing of its own
            tab.on("console", lambda message: blocked.append(message.text)
                   if "Content Security Policy" in message.text else None)
            tab.goto(f"{base}/ui?user_id={USER}")  # redirected to /ui/, the query kept
            tab.wait_for_selector("#key-form", state="visible")
            tab.fill("#key", "gm_€")  # no header can carry it: refused at the form, not stored to fail every load
            tab.click("#key-button")
            until(tab, "document.querySelector('#key-note').textContent.includes('not an API key')")
            assert tab.evaluate("sessionStorage.getItem('graphmem-key')") is None
            tab.fill("#key", "gm_wrong")
            tab.click("#key-button")
            until(tab, "document.querySelector('#key-note').textContent.includes('invalid')")
            assert tab.is_visible("#key-form") and tab.evaluate("window.explorer.renders") == 0
            tab.fill("#key", key)
            tab.click("#key-button")
            until(tab, "window.explorer.renders >= 1")
            assert tab.is_hidden("#key-form") and tab.evaluate("sessionStorage.getItem('graphmem-key')") == key
            settled(tab, lambda: (tab.fill("#query", "Where does alex live?"), tab.click("#search-button")))
            shown = tab.locator(".result .memory").all_inner_texts()
            assert shown[0] == "alex lives in Berlin" and "alex lives in Rome" not in shown
            tab.wait_for_selector("#details #edit-text")  # the first result's details, read with the key
            tab.screenshot(path=str(tmp_path / "served-explorer.png"))
            renders = tab.evaluate("window.explorer.renders")
            tab.evaluate("askForKey('Another key')")  # as after a 401: another tenant's key comes in
            tab.fill("#key", other)
            tab.click("#key-button")
            until(tab, f"window.explorer.renders > {renders}")
            # Nothing of the former key's tenant stays on screen: its results and the memory's details are gone.
            assert tab.locator(".result").count() == 0 and tab.locator("#details #edit-text").count() == 0
            assert "Berlin" not in tab.inner_text("body")
            assert blocked == []
        finally:
            browser.close()
