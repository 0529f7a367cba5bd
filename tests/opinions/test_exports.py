"""CSV (UTF-8 with BOM, Chinese intact) and XLSX (opens with openpyxl) exports."""

from __future__ import annotations

import csv
import io
from typing import Any

from aiohttp.test_utils import TestClient
from openpyxl import load_workbook

from tests.conftest import World, login
from tests.opinions.conftest import Api


async def seed(client: TestClient[Any, Any]) -> Api:
    mod = Api(client, await login(client, "mod-a"))
    made = await mod.post(
        "/api/opinions",
        {"community": "hexie", "text": "加装电梯，六楼老人上下楼太难了", "category": "renovation"},
        201,
    )
    await mod.post("/api/opinions", {"community": "hexie", "text": '=HYPERLINK("x")'}, expect=201)
    await mod.post(
        "/api/agenda", {"community": "hexie", "title": "老楼加装电梯", "opinions": [made["id"]]}, expect=201
    )
    return mod


async def test_csv_has_bom_and_chinese(client: TestClient[Any, Any], world: World) -> None:
    mod = await seed(client)
    response = await client.get("/api/opinions.csv?community=hexie")
    assert response.status == 200 and response.content_type == "text/csv"
    raw = await response.read()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["id", "community", "created_at", "status"]
    texts = [r[6] for r in rows[1:]]
    assert "加装电梯，六楼老人上下楼太难了" in texts and '\'=HYPERLINK("x")' in texts
    only = list(
        csv.reader(
            io.StringIO(
                (await (await client.get("/api/opinions.csv?category=renovation")).read()).decode("utf-8-sig")
            )
        )
    )
    assert len(only) == 2
    agenda = await (await client.get("/api/agenda.csv")).read()
    assert agenda.startswith(b"\xef\xbb\xbf") and "老楼加装电梯".encode() in agenda
    assert mod.csrf


async def test_xlsx_opens(client: TestClient[Any, Any], world: World) -> None:
    await seed(client)
    for path, title in (("/api/opinions.xlsx", "opinions"), ("/api/agenda.xlsx", "agenda")):
        response = await client.get(path)
        assert response.status == 200
        book = load_workbook(io.BytesIO(await response.read()))
        sheet = book[title]
        values = [[c.value for c in row] for row in sheet.iter_rows()]
        assert values[0][0] == "id" and len(values) >= 2
        flat = {str(v) for row in values for v in row}
        assert "老楼加装电梯" in flat or "加装电梯，六楼老人上下楼太难了" in flat


async def test_exports_need_a_moderator_of_the_community(client: TestClient[Any, Any], world: World) -> None:
    assert (await client.get("/api/opinions.csv?community=hexie")).status == 401
    await login(client, "resident")
    assert (await client.get("/api/agenda.csv?community=hexie")).status == 403
    assert (await client.get("/api/agenda.csv")).status == 403
    await login(client, "host-b")
    assert (await client.get("/api/opinions.csv?community=hexie")).status == 403
    assert (await client.get("/api/opinions.xlsx?community=nowhere")).status == 404
    await login(client, "admin")
    assert (await client.get("/api/opinions.csv")).status == 200
