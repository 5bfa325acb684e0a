"""The explorer page and the Jupyter display of graphmem.

- `graphmem.ui.app.create_app(memory)`: a FastAPI app serving the page (static HTML/JS with the vendored
  cytoscape.js, no build step, no CDN) and its small JSON API over an `AsyncMemory`; mountable under `/ui`
  of another app. `graphmem ui [--port]` serves it (graphmem/ui/commands.py); `graphmem serve` serves the
  same page at `/ui`, its API confined to each API key's tenant (graphmem/server/ui_routes.py).
- `graphmem.ui.display`: rich display in Jupyter for search results and graphs, offline (the JavaScript is
  inlined from the vendored file).

Nothing here is imported by `graphmem` itself; FastAPI and uvicorn are the `server` extra.
"""
