"""The two numbers of opinions and agenda items: ``supporters`` (people, the author included)
and ``verified_households`` (distinct households with a verified member among them).

Both are kept on the rows and recounted in the same transaction as whatever changes them: a
support, a merge, an item's opinions, a household membership."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, case, event, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from live.storage.agenda import AgendaItem, AgendaOpinion
from live.storage.households import HouseholdMember
from live.storage.opinions import Opinion, OpinionSupport


def user_id_of_key(person_key: str) -> int | None:
    """The account id of a person key ``u:<id>``; None for guests."""
    if person_key.startswith("u:") and person_key[2:].isdigit():
        return int(person_key[2:])
    return None


@event.listens_for(OpinionSupport, "before_insert")
def _remember_account(_mapper: Any, _connection: Any, target: OpinionSupport) -> None:
    if target.user_id is None:
        target.user_id = user_id_of_key(target.person_key)


def _verified_member() -> Any:
    return and_(HouseholdMember.user_id == OpinionSupport.user_id, HouseholdMember.revoked_at.is_(None))


async def recount(s: AsyncSession, opinion_ids: Iterable[int] | Select[Any]) -> None:
    """Recount the opinions ``opinion_ids`` (ids or a select of ids) and the items holding them."""
    if not isinstance(opinion_ids, Select):
        opinion_ids = sorted(set(opinion_ids))
        if not opinion_ids:
            return
    # Lock the opinions first: two concurrent "me too"s would otherwise each count only their own
    # new row under READ COMMITTED (PostgreSQL) and the second update would lose the first. The
    # lock is FOR NO KEY UPDATE: each "me too" has already inserted its row, whose foreign key
    # holds FOR KEY SHARE on the opinion, and a plain FOR UPDATE would wait on the other's share
    # while the other waits on ours (a deadlock, answered 500).
    await s.execute(
        select(Opinion.id)
        .where(Opinion.id.in_(opinion_ids))
        .order_by(Opinion.id)
        .with_for_update(key_share=True)
    )
    people = (
        select(func.count(OpinionSupport.id)).where(OpinionSupport.opinion_id == Opinion.id).scalar_subquery()
    )
    households = (
        select(func.count(func.distinct(HouseholdMember.household_id)))
        .select_from(OpinionSupport)
        .join(HouseholdMember, _verified_member())
        .where(OpinionSupport.opinion_id == Opinion.id)
        .scalar_subquery()
    )
    await s.execute(
        update(Opinion)
        .where(Opinion.id.in_(opinion_ids))
        .values(supporters=case((people > 0, people), else_=1), verified_households=households)
        .execution_options(synchronize_session=False)
    )
    items = select(AgendaOpinion.item_id).where(AgendaOpinion.opinion_id.in_(opinion_ids))
    await recount_items(s, items)


async def recount_items(s: AsyncSession, item_ids: Iterable[int] | Select[Any]) -> None:
    if not isinstance(item_ids, Select):
        item_ids = sorted(set(item_ids))
        if not item_ids:
            return
    people = (
        select(func.count(func.distinct(OpinionSupport.person_key)))
        .select_from(AgendaOpinion)
        .join(OpinionSupport, OpinionSupport.opinion_id == AgendaOpinion.opinion_id)
        .where(AgendaOpinion.item_id == AgendaItem.id)
        .scalar_subquery()
    )
    households = (
        select(func.count(func.distinct(HouseholdMember.household_id)))
        .select_from(AgendaOpinion)
        .join(OpinionSupport, OpinionSupport.opinion_id == AgendaOpinion.opinion_id)
        .join(HouseholdMember, _verified_member())
        .where(AgendaOpinion.item_id == AgendaItem.id)
        .scalar_subquery()
    )
    await s.execute(
        update(AgendaItem)
        .where(AgendaItem.id.in_(item_ids))
        .values(supporters=people, verified_households=households)
        .execution_options(synchronize_session=False)
    )


async def recount_for_user(s: AsyncSession, user_id: int) -> None:
    """A user's household membership changed: recount everything they support."""
    await recount(s, select(OpinionSupport.opinion_id).where(OpinionSupport.user_id == user_id))


async def recount_all(s: AsyncSession) -> None:
    await recount(s, select(Opinion.id))
    await recount_items(s, select(AgendaItem.id))


async def supporters_of_item(s: AsyncSession, item_id: int) -> list[tuple[str, int | None, int | None]]:
    """Who supported an item's opinions (authors included): ``(person key, user id, verified
    household id)``, verified households first, each person once."""
    rows = await s.execute(
        select(OpinionSupport.person_key, OpinionSupport.user_id, HouseholdMember.household_id)
        .select_from(AgendaOpinion)
        .join(OpinionSupport, OpinionSupport.opinion_id == AgendaOpinion.opinion_id)
        .outerjoin(HouseholdMember, _verified_member())
        .where(AgendaOpinion.item_id == item_id)
        .distinct()
    )
    found = {key: (key, uid, hid) for key, uid, hid in rows}
    return sorted(found.values(), key=lambda r: (r[2] is None, r[0]))
