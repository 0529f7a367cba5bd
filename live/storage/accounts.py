"""Accounts and their server-side sign-in sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from live.storage.base import Base, UTCDateTime
from live.storage.db import Database


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    contact: Mapped[str | None] = mapped_column(String(128))
    #: A resident's mainland mobile number (11 digits), confirmed by an SMS code; personal data.
    phone: Mapped[str | None] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    disabled: Mapped[bool] = mapped_column(default=False)
    #: For role ``party``: the responsible party this account acts for.
    party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id"))


class AuthSession(Base):
    """A signed-in browser or script. The cookie holds a token; only its hash is stored."""

    __tablename__ = "auth_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PhoneCode(Base):
    """A one-time code sent by SMS: to confirm a registration (``register``, holding the name and
    password hash until then) or a password reset (``reset``). Only the code's hash is kept."""

    __tablename__ = "phone_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(16), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    code_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(64))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)


async def user_by_username(db: AsyncSession, username: str) -> User | None:
    return (await db.execute(select(User).where(User.username == username))).scalar_one_or_none()


async def add_user(db: AsyncSession, user: User) -> None:
    """Stores a new user, flushed (its id is known)."""
    db.add(user)
    await db.flush()


def add_auth_session(db: AsyncSession, row: AuthSession) -> None:
    db.add(row)


async def get_user(db: AsyncSession, user_id: int, *, lock: bool = False) -> User | None:
    return await db.get(User, user_id, with_for_update=lock)


async def users_page(
    db: AsyncSession, limit: int, after: int | None, *, search: str = "", role: str | None = None
) -> list[User]:
    """Users in id order, ``limit`` of them after the id ``after``; ``search`` keeps those whose
    username or display name contains it (any case), ``role`` those of that role."""
    query = select(User).order_by(User.id).limit(limit)
    if after is not None:
        query = query.where(User.id > after)
    if search:
        named = User.display_name.icontains(search, autoescape=True)
        query = query.where(User.username.icontains(search, autoescape=True) | named)
    if role is not None:
        query = query.where(User.role == role)
    return list((await db.execute(query)).scalars())


async def user_by_phone(db: AsyncSession, phone: str) -> User | None:
    return (await db.execute(select(User).where(User.phone == phone))).scalar_one_or_none()


async def all_users(db: AsyncSession) -> list[User]:
    return list((await db.execute(select(User).order_by(User.id))).scalars())


async def auth_session(db: AsyncSession, token_hash: str) -> AuthSession | None:
    return await db.get(AuthSession, token_hash)


async def end_auth_session(db: AsyncSession, token_hash: str) -> None:
    await db.execute(delete(AuthSession).where(AuthSession.token_hash == token_hash))


async def end_auth_sessions_of(db: AsyncSession, user_id: int) -> None:
    """Every sign-in session of one account (it was disabled or its role changed)."""
    await db.execute(delete(AuthSession).where(AuthSession.user_id == user_id))


class PhoneStore:
    """Queries of residents' phone numbers and their one-time SMS codes."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def phone_taken(self, phone: str) -> bool:
        async with self.db.read() as s:
            return await user_by_phone(s, phone) is not None

    async def user_with_phone(self, phone: str) -> User | None:
        async with self.db.read() as s:
            return await user_by_phone(s, phone)

    async def add_code(self, row: PhoneCode) -> None:
        """Store a new code; earlier unused codes of that number and purpose stop working."""
        async with self.db.transaction() as s:
            await s.execute(
                update(PhoneCode)
                .where(
                    PhoneCode.phone == row.phone,
                    PhoneCode.purpose == row.purpose,
                    PhoneCode.used_at.is_(None),
                )
                .values(used_at=row.created_at)
            )
            s.add(row)

    async def current_code(self, phone: str, purpose: str) -> PhoneCode | None:
        async with self.db.read() as s:
            return (
                await s.execute(
                    select(PhoneCode)
                    .where(
                        PhoneCode.phone == phone, PhoneCode.purpose == purpose, PhoneCode.used_at.is_(None)
                    )
                    .order_by(PhoneCode.id.desc())
                    .limit(1)
                )
            ).scalar_one_or_none()

    async def count_wrong(self, code_id: int) -> None:
        async with self.db.transaction() as s:
            await s.execute(
                update(PhoneCode).where(PhoneCode.id == code_id).values(attempts=PhoneCode.attempts + 1)
            )

    async def create_resident(self, code_id: int, user: User, now: datetime) -> User | None:
        """Use the code and create the resident in one transaction; None if the code was used
        meanwhile. Raises IntegrityError when the number (or username) is taken."""
        async with self.db.transaction() as s:
            used = await s.execute(
                update(PhoneCode)
                .where(PhoneCode.id == code_id, PhoneCode.used_at.is_(None))
                .values(used_at=now)
            )
            if used.rowcount != 1:  # type: ignore[attr-defined]
                return None
            s.add(user)
            await s.flush()
        return user

    async def reset_password(
        self, code_id: int, user_id: int, password_hash: str, now: datetime
    ) -> User | None:
        """Use the code, set the password and end every sign-in session of the user."""
        async with self.db.transaction() as s:
            used = await s.execute(
                update(PhoneCode)
                .where(PhoneCode.id == code_id, PhoneCode.used_at.is_(None))
                .values(used_at=now)
            )
            if used.rowcount != 1:  # type: ignore[attr-defined]
                return None
            user = await s.get(User, user_id, with_for_update=True)
            if user is None:
                return None
            user.password_hash = password_hash
            await s.execute(delete(AuthSession).where(AuthSession.user_id == user_id))
        return user
