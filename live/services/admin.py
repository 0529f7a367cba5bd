"""Administration: places of communities, users and roles, recordings and disk use."""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from live.errors import Conflict, Invalid, NotFound
from live.events import AccountChanged, EventBus
from live.services.actors import ROLES, Actor, require_admin
from live.services.archive import directory_bytes, recording_dir
from live.storage import accounts as accounts_store
from live.storage import places as places_store
from live.storage import rooms as rooms_store
from live.storage.accounts import User
from live.storage.db import Database, Duplicate
from live.storage.places import Building, Community, Compound, Grid, Unit, community_by_id, community_by_slug
from live.storage.rooms import LiveSession
from media import layout

PLACE_KINDS = ("grid", "compound", "building", "unit")
PLACE_NAME_MAX = {"grid": 128, "compound": 128, "building": 64, "unit": 64}
COMMUNITY_ROLES = ("moderator", "host")


@dataclass
class BuildingTree:
    building: Building
    units: list[Unit] = field(default_factory=list)


@dataclass
class CompoundTree:
    compound: Compound
    buildings: list[BuildingTree] = field(default_factory=list)


@dataclass
class CommunityPlaces:
    community: Community
    grids: list[Grid] = field(default_factory=list)
    compounds: list[CompoundTree] = field(default_factory=list)


@dataclass(frozen=True)
class UserRow:
    user: User
    community: Community | None


@dataclass(frozen=True)
class Recording:
    session: LiveSession
    community: Community
    recorded_bytes: int | None
    disk_bytes: int
    duration_s: float | None


@dataclass(frozen=True)
class PlaceAdded:
    kind: str
    id: int
    name: str
    parent: int | None


class Admin:
    def __init__(self, db: Database, data_dir: Path, events: EventBus) -> None:
        self.db = db
        self.data_dir = data_dir
        self.events = events

    def mp4_path(self, session_id: int) -> Path:
        """The MP4 remuxed from a recording on request (media/hub.py keeps it here)."""
        return layout.mp4_path(self.data_dir, session_id)

    def bytes_on_disk(self, session_id: int) -> int:
        """A session's HLS folder and remuxed MP4, as they are on disk now."""
        mp4 = self.mp4_path(session_id)
        extra = mp4.stat().st_size if mp4.is_file() else 0
        return directory_bytes(recording_dir(self.data_dir, session_id)) + extra

    async def places(self, actor: Actor) -> list[CommunityPlaces]:
        """Every community with its grids, compounds, buildings and units."""
        require_admin(actor)
        async with self.db.read() as s:
            communities, grids, compounds, buildings, units = await places_store.every_place(s)
        trees = {c.id: CommunityPlaces(c) for c in communities}
        for grid in grids:
            trees[grid.community_id].grids.append(grid)
        compound_trees: dict[int, CompoundTree] = {}
        for compound in compounds:
            compound_trees[compound.id] = CompoundTree(compound)
            trees[compound.community_id].compounds.append(compound_trees[compound.id])
        building_trees: dict[int, BuildingTree] = {}
        for building in buildings:
            building_trees[building.id] = BuildingTree(building)
            compound_trees[building.compound_id].buildings.append(building_trees[building.id])
        for unit in units:
            building_trees[unit.building_id].units.append(unit)
        return list(trees.values())

    async def add_place(
        self, actor: Actor, kind: str, community_slug: str, name: str, parent: int | None = None
    ) -> PlaceAdded:
        """Add a grid or compound to a community, a building to a compound, a unit to a building.

        ``parent`` is the compound's grid (optional), the building's compound, the unit's building;
        it must belong to ``community_slug``."""
        require_admin(actor)
        if kind not in PLACE_KINDS:
            raise Invalid(f"kind must be one of {', '.join(PLACE_KINDS)}")
        name = name.strip()
        if not name or len(name) > PLACE_NAME_MAX[kind]:
            raise Invalid(f"name: 1-{PLACE_NAME_MAX[kind]} characters")
        if kind in ("building", "unit") and parent is None:
            raise Invalid(f"a {kind} needs its parent ({'compound' if kind == 'building' else 'building'})")
        try:
            async with self.db.transaction() as s:
                community = await community_by_slug(s, community_slug)
                if community is None:
                    raise NotFound(f"no community {community_slug}")
                row: Grid | Compound | Building | Unit
                if kind == "grid":
                    row = Grid(community_id=community.id, name=name)
                elif kind == "compound":
                    if parent is not None:
                        grid = await places_store.get_grid(s, parent)
                        if grid is None or grid.community_id != community.id:
                            raise NotFound("no such grid in this community")
                    row = Compound(community_id=community.id, grid_id=parent, name=name)
                elif kind == "building":
                    assert parent is not None
                    compound = await places_store.get_compound(s, parent)
                    if compound is None or compound.community_id != community.id:
                        raise NotFound("no such compound in this community")
                    row = Building(compound_id=compound.id, name=name)
                else:
                    assert parent is not None
                    building = await places_store.get_building(s, parent)
                    owner = await places_store.get_compound(s, building.compound_id) if building else None
                    if building is None or owner is None or owner.community_id != community.id:
                        raise NotFound("no such building in this community")
                    row = Unit(building_id=building.id, name=name)
                await places_store.add_place(s, row)
                added = PlaceAdded(kind, row.id, row.name, parent)
        except Duplicate as err:
            raise Conflict(f"{kind} {name} exists there") from err
        return added

    async def users(
        self,
        actor: Actor,
        limit: int = 100,
        after: int | None = None,
        *,
        search: str = "",
        role: str | None = None,
    ) -> list[UserRow]:
        """One page of users in id order (staff accounts come first: they are made first),
        optionally those matching ``search`` (username or name) and of one ``role``."""
        require_admin(actor)
        if role is not None and role not in ROLES:
            raise Invalid(f"role must be one of {', '.join(ROLES)}", code="bad_role")
        async with self.db.read() as s:
            communities = await places_store.communities_by_id(s)
            users = await accounts_store.users_page(s, limit, after, search=search.strip()[:64], role=role)
            return [UserRow(u, communities.get(u.community_id or 0)) for u in users]

    async def update_user(
        self,
        actor: Actor,
        user_id: int,
        *,
        role: str | None = None,
        community_slug: str | None = None,
        clear_community: bool = False,
        disabled: bool | None = None,
    ) -> UserRow:
        """Change a user's role, community or disabled flag; disabling signs them out everywhere."""
        require_admin(actor)
        if role is not None and role not in ROLES:
            raise Invalid(f"role must be one of {', '.join(ROLES)}")
        if user_id == actor.user_id and (disabled or (role is not None and role != "admin")):
            raise Conflict("you cannot disable or demote yourself", code="self")
        async with self.db.transaction() as s:
            user = await accounts_store.get_user(s, user_id, lock=True)
            if user is None:
                raise NotFound("no such user")
            community = await community_by_id(s, user.community_id) if user.community_id else None
            if community_slug:
                community = await community_by_slug(s, community_slug)
                if community is None:
                    raise NotFound(f"no community {community_slug}")
            elif clear_community:
                community = None
            new_role = role or user.role
            if new_role in COMMUNITY_ROLES and community is None:
                raise Invalid("moderators and hosts belong to a community")
            user.role = new_role
            user.community_id = community.id if community else None
            if disabled is not None:
                user.disabled = disabled
                if disabled:
                    await accounts_store.end_auth_sessions_of(s, user.id)
            row = UserRow(user, community)
        await self.events.publish(AccountChanged(user_id, bool(user.disabled)))
        return row

    async def recordings(self, actor: Actor) -> list[Recording]:
        """Ended sessions with a recording, in the database or on disk, newest first."""
        require_admin(actor)
        # the disk is listed once (off the event loop), and only sessions with something kept
        # are read and measured: not every broadcast of five years on every view of /admin
        on_disk = await asyncio.to_thread(layout.sessions_on_disk, self.data_dir)
        async with self.db.read() as s:
            communities = await places_store.communities_by_id(s)
            sessions = await rooms_store.sessions_with_recordings(s, on_disk)
        sizes = await asyncio.to_thread(
            lambda: {x.id: self.bytes_on_disk(x.id) if x.id in on_disk else 0 for x in sessions}
        )
        rows = []
        for session in sessions:
            disk = sizes[session.id]
            if disk == 0 and session.recording_bytes is None and session.recording_path is None:
                continue
            rows.append(
                Recording(
                    session,
                    communities[session.community_id],
                    session.recording_bytes,
                    disk,
                    session.recording_duration_s,
                )
            )
        return rows

    def disk_usage(self) -> tuple[int, int, int]:
        """Bytes of recordings (HLS and MP4), and the data disk's total and free bytes."""
        used = sum(directory_bytes(d) for d in layout.media_dirs(self.data_dir))
        target = self.data_dir if self.data_dir.exists() else Path(".")
        usage = shutil.disk_usage(target)
        return used, usage.total, usage.free

    async def delete_recording(self, actor: Actor, session_id: int) -> None:
        """Delete a session's recording files and forget it; refuses while the session is live."""
        require_admin(actor)
        async with self.db.transaction() as s:
            session = await rooms_store.get_session(s, session_id, lock=True)
            if session is None:
                raise NotFound("no such session")
            if session.status == "live":
                raise Conflict("the session is live", code="bad_state")
            session.recording_path = None
            session.recording_duration_s = None
            session.recording_bytes = None
        folder = recording_dir(self.data_dir, session_id)
        if folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
        self.mp4_path(session_id).unlink(missing_ok=True)
