"""Places: a subdistrict holds communities; a community holds grids, compounds, buildings, units."""

from __future__ import annotations

from sqlalchemy import ForeignKey, ScalarSelect, String, UniqueConstraint, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from live.storage.base import Base


class Subdistrict(Base):
    __tablename__ = "subdistricts"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128))


class Community(Base):
    __tablename__ = "communities"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    subdistrict_id: Mapped[int | None] = mapped_column(ForeignKey("subdistricts.id"))


class Grid(Base):
    """A grid (网格): the patch of a community that one grid worker looks after."""

    __tablename__ = "grids"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    worker: Mapped[str | None] = mapped_column(String(64))


class Compound(Base):
    """A residential compound (小区)."""

    __tablename__ = "compounds"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"))
    name: Mapped[str] = mapped_column(String(128))


class Building(Base):
    __tablename__ = "buildings"
    __table_args__ = (UniqueConstraint("compound_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))


class Unit(Base):
    """A stairwell unit (单元) of a building."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("building_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))


async def community_by_slug(db: AsyncSession, slug: str) -> Community | None:
    return (await db.execute(select(Community).where(Community.slug == slug))).scalar_one_or_none()


async def community_by_id(db: AsyncSession, community_id: int) -> Community | None:
    return await db.get(Community, community_id)


async def all_communities(db: AsyncSession) -> list[Community]:
    return list((await db.execute(select(Community).order_by(Community.id))).scalars())


async def communities_by_id(db: AsyncSession) -> dict[int, Community]:
    return {c.id: c for c in (await db.execute(select(Community))).scalars()}


async def every_place(
    db: AsyncSession,
) -> tuple[list[Community], list[Grid], list[Compound], list[Building], list[Unit]]:
    """Every community, grid, compound, building and unit, each in id order."""
    communities = await all_communities(db)
    grids = list((await db.execute(select(Grid).order_by(Grid.id))).scalars())
    compounds = list((await db.execute(select(Compound).order_by(Compound.id))).scalars())
    buildings = list((await db.execute(select(Building).order_by(Building.id))).scalars())
    units = list((await db.execute(select(Unit).order_by(Unit.id))).scalars())
    return communities, grids, compounds, buildings, units


async def get_grid(db: AsyncSession, grid_id: int) -> Grid | None:
    return await db.get(Grid, grid_id)


async def get_compound(db: AsyncSession, compound_id: int) -> Compound | None:
    return await db.get(Compound, compound_id)


async def get_building(db: AsyncSession, building_id: int) -> Building | None:
    return await db.get(Building, building_id)


async def add_place(db: AsyncSession, row: Community | Grid | Compound | Building | Unit) -> None:
    """Stores a new place, flushed (its id is known; a duplicate name in its parent raises
    ``db.Duplicate``)."""
    db.add(row)
    await db.flush()


def community_id_of(slug: str) -> ScalarSelect[int]:
    """The id of the community ``slug`` as a scalar subquery, to filter a big table by
    ``community_id`` (so the planner uses its (community, id) index) without a join."""
    return select(Community.id).where(Community.slug == slug).scalar_subquery()


async def community_slugs(db: AsyncSession, community_ids: set[int]) -> dict[int, str]:
    if not community_ids:
        return {}
    rows = await db.execute(select(Community.id, Community.slug).where(Community.id.in_(community_ids)))
    return {int(cid): slug for cid, slug in rows.all()}


async def place_counts(db: AsyncSession) -> dict[str, int]:
    return {
        "communities": await db.scalar(select(func.count(Community.id))) or 0,
        "compounds": await db.scalar(select(func.count(Compound.id))) or 0,
        "grids": await db.scalar(select(func.count(Grid.id))) or 0,
    }


async def compounds_of(db: AsyncSession, community_id: int) -> list[Compound]:
    rows = await db.execute(
        select(Compound).where(Compound.community_id == community_id).order_by(Compound.id)
    )
    return list(rows.scalars())


async def compound_names(db: AsyncSession, community_id: int) -> list[tuple[int, str]]:
    rows = await db.execute(select(Compound.id, Compound.name).where(Compound.community_id == community_id))
    return [(int(cid), name) for cid, name in rows.all()]


async def place_rows(
    db: AsyncSession, community_id: int, limit: int
) -> list[tuple[str, str | None, str | None]]:
    """(compound, building, unit) names of a community in order; building and unit may be None."""
    query = (
        select(Compound.name, Building.name, Unit.name)
        .select_from(Compound)
        .outerjoin(Building, Building.compound_id == Compound.id)
        .outerjoin(Unit, Unit.building_id == Building.id)
        .where(Compound.community_id == community_id)
        .order_by(Compound.id, Building.id, Unit.id)
        .limit(limit)
    )
    return [(compound, building, unit) for compound, building, unit in await db.execute(query)]
