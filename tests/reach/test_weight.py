"""Weight and speed: compressed text answers, content-hashed static files cached for a year, and
the watch page's own HTML, CSS and JavaScript under 150 KB compressed."""

from __future__ import annotations

import os
import re
from typing import Any

from aiohttp.test_utils import TestClient

from tests.conftest import World
from tests.reach.pages import make_world

GZIP = {"Accept-Encoding": "gzip"}


async def test_text_is_compressed_media_is_not(client: TestClient[Any, Any], world: World) -> None:
    home = await client.get("/", headers=GZIP)
    assert home.status == 200 and home.headers.get("Content-Encoding") == "gzip"
    assert "Accept-Encoding" in home.headers.get("Vary", "")
    api = await client.get("/api/communities", headers=GZIP)
    assert api.status == 200  # small JSON may go as it is
    plain = await client.get("/", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and "<html" in await plain.text()


async def test_static_files_hashed_and_cached(client: TestClient[Any, Any], world: World) -> None:
    html = await (await client.get("/")).text()
    [css] = re.findall(r'href="(/static/css/app\.css\?v=[0-9a-f]+)"', html)
    hashed = await client.get(css, headers=GZIP)
    assert hashed.status == 200 and hashed.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert hashed.headers.get("Content-Encoding") == "gzip" and hashed.content_type == "text/css"
    bare = await client.get("/static/css/app.css")
    assert bare.headers["Cache-Control"] == "no-cache"
    again = await client.get("/static/css/app.css", headers={"If-None-Match": bare.headers["ETag"]})
    assert again.status == 304
    assert (await client.get("/static/../live/settings.py")).status == 404
    assert (await client.get("/static/css/nothing.css")).status == 404
    js = await client.get("/static/js/live.js")
    assert js.content_type == "text/javascript"


async def test_a_pages_whole_module_graph_is_hashed(
    client: TestClient[Any, Any], world: World, tmp_path: Any, monkeypatch: Any
) -> None:
    """Every module a page loads, down to the vendored socket.io client, is asked for with its
    content hash and so cached for a year; changing an imported module changes its importer's
    hash too, so a returning phone never runs a new page with an old module."""
    ids = await make_world(client)
    html = await (await client.get(f"/live/{ids['live']}")).text()
    queue = re.findall(r'src="(/static/js/[^"]+)"', html)
    assert queue
    seen: set[str] = set()
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        assert "?v=" in url, url
        response = await client.get(url)
        assert response.status == 200, url
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable", url
        directory = url.split("?", 1)[0].rsplit("/", 1)[0]
        for specifier in re.findall(r'from\s*"([^"]+)"|import\s*"([^"]+)"', await response.text()):
            target = next(part for part in specifier if part)
            queue.append(target if target.startswith("/") else f"{directory}/{target.removeprefix('./')}")
    assert any("socket.io.esm.min.js?v=" in url for url in seen)

    # A new version of an imported module gives its importer a new hash.
    from live.http import templates

    static = tmp_path / "static"
    (static / "js").mkdir(parents=True)
    (static / "js" / "main.js").write_text('import { x } from "./part.js";\nx();\n')
    part = static / "js" / "part.js"
    part.write_text("export function x() {}\n")
    monkeypatch.setattr(templates, "STATIC", static)
    before = templates.static_url("js/main.js")
    served = templates.static_body("js/main.js").decode()
    assert f'"./part.js?v={templates.static_fingerprint("js/part.js")}"' in served
    part.write_text("export function x() { return 1; }\n")
    os.utime(part, ns=(1, 2))  # a different mtime, whatever the file system's resolution
    assert templates.static_url("js/main.js") != before


async def test_watch_page_weight(client: TestClient[Any, Any], world: World) -> None:
    ids = await make_world(client)
    seen: set[str] = set()
    html = await (await client.get(f"/live/{ids['live']}")).text()
    queue = re.findall(r'(?:href|src)="(/static/(?:css|js)/[^"]+)"', html)
    sizes: dict[str, int] = {}

    async def compressed_size(url: str) -> int:
        response = await client.get(url, headers=GZIP, auto_decompress=False)
        assert response.status == 200, url
        return len(await response.read())

    raw_page = await client.get(f"/live/{ids['live']}", headers=GZIP, auto_decompress=False)
    total = len(await raw_page.read())
    assert raw_page.headers.get("Content-Encoding") == "gzip"
    while queue:
        url = queue.pop()
        path = url.split("?", 1)[0]
        if path in seen or "/vendor/" in path:
            continue
        seen.add(path)
        sizes[path] = await compressed_size(url)
        if path.endswith(".js"):
            source = await (await client.get(url)).text()
            for spec in re.findall(r'from\s+"([^"]+)"|import\("([^"]+)"\)', source):
                target = spec[0] or spec[1]
                if target.startswith("./"):
                    queue.append(path.rsplit("/", 1)[0] + target[1:])
                elif target.startswith("/static/"):
                    queue.append(target)
    total += sum(sizes.values())
    assert any(p.endswith("live-video.js") for p in sizes) and any(p.endswith("app.css") for p in sizes)
    assert total < 150_000, (total, sizes)
    assert "hls.min.js" not in html and "hls.mjs" not in html, "hls.js only when needed"
