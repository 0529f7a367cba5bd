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


async def many(client: TestClient[Any, Any], opinions: int, items: int) -> None:
    """Bulk rows straight into the database: ``opinions`` opinions and ``items`` agenda items in
    hexie (every 7th opinion rejected, one in three a formula), and a few in xingfu."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import insert, select

    from live.keys import SERVICES
    from live.storage.agenda import AgendaItem
    from live.storage.opinions import Opinion
    from live.storage.places import Community

    db = client.app[SERVICES].db
    base = datetime(2026, 1, 1, tzinfo=UTC)
    async with db.transaction() as s:
        ids = {slug: cid for cid, slug in (await s.execute(select(Community.id, Community.slug))).all()}
        await s.execute(
            insert(Opinion),
            [
                {
                    "community_id": ids["hexie"],
                    "text": f"=第{n}条意见" if n % 3 == 0 else f"第{n}条意见，楼道灯不亮",
                    "category": "facilities",
                    "author_key": f"g:guest-{n}",
                    "author_name": "居民",
                    "status": "rejected" if n % 7 == 0 else "new",
                    "created_at": base + timedelta(minutes=n),
                }
                for n in range(opinions)
            ]
            + [
                {"community_id": ids["xingfu"], "text": "别的社区", "author_key": "g:x", "created_at": base}
                for _ in range(30)
            ],
        )
        await s.execute(
            insert(AgendaItem),
            [
                {
                    "community_id": ids["hexie"],
                    "title": f"议题{n}",
                    "created_by": "u:1",
                    "created_at": base + timedelta(hours=n),
                    "updated_at": base + timedelta(hours=n),
                }
                for n in range(items)
            ],
        )


def parse_csv(raw: bytes) -> list[list[str]]:
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8"))))


async def test_exports_hold_every_row_in_order_however_many(
    client: TestClient[Any, Any], world: World
) -> None:
    """Far more rows than one page or one read batch: all of them, newest first, valid files."""
    count, items = 1234, 1101
    await many(client, count, items)
    await login(client, "mod-a")

    response = await client.get("/api/opinions.csv")  # the moderator's own community
    assert response.status == 200 and response.headers.get("Transfer-Encoding") == "chunked"
    rows = parse_csv(await response.read())
    assert rows[0][0] == "\ufeffid" and len(rows) == 1 + count
    ids = [int(r[0]) for r in rows[1:]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == count
    assert {r[1] for r in rows[1:]} == {"hexie"}
    texts = {r[6] for r in rows[1:]}
    assert "'=第3条意见" in texts and "第1条意见，楼道灯不亮" in texts and "=第3条意见" not in texts

    rejected = parse_csv(await (await client.get("/api/opinions.csv?status=rejected")).read())[1:]
    assert len(rejected) == len(range(0, count, 7)) and {r[3] for r in rejected} == {"rejected"}

    book = load_workbook(io.BytesIO(await (await client.get("/api/opinions.xlsx")).read()), read_only=True)
    values = [[c.value for c in row] for row in book["opinions"].iter_rows()]
    assert values[0][0] == "id" and [int(v[0]) for v in values[1:]] == ids

    agenda = parse_csv(await (await client.get("/api/agenda.csv")).read())
    assert len(agenda) == 1 + items
    item_ids = [int(r[0]) for r in agenda[1:]]
    assert item_ids == sorted(item_ids, reverse=True)
    book = load_workbook(io.BytesIO(await (await client.get("/api/agenda.xlsx")).read()), read_only=True)
    assert sum(1 for _ in book["agenda"].iter_rows()) == len(agenda)


async def test_a_bad_export_filter_is_a_clear_400(client: TestClient[Any, Any], world: World) -> None:
    await login(client, "mod-a")
    for path in ("/api/opinions.csv?status=nonsense", "/api/agenda.xlsx?status=nonsense"):
        response = await client.get(path)
        assert response.status == 400, path
        assert "error" in await response.json()
