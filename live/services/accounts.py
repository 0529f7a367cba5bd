"""Accounts: creating users, signing in with throttling, server-side sessions."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from live.clock import Clock
from live.errors import BadCredentials, Conflict, Invalid, NotFound, TooManyAttempts
from live.events import EventBus, SignedOut, UserCreated
from live.services.actors import ROLES, Actor
from live.services.passwords import dummy_hash, hash_password, verify_password
from live.services.phones import normalize_phone
from live.services.sanctions import address_bannable
from live.services.throttle import FailureCounter
from live.storage import accounts as store
from live.storage.accountability import get_party
from live.storage.accounts import AuthSession, User, user_by_phone, user_by_username
from live.storage.db import Database
from live.storage.places import Community, community_by_id, community_by_slug

SESSION_DAYS = 30
#: Failed sign-ins with unknown usernames from one address, as a multiple of ``max_failures``.
UNKNOWN_NAMES_PER_ADDRESS = 5
USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_.")


@dataclass(frozen=True)
class SignedIn:
    token: str
    csrf: str
    actor: Actor


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def actor_for(user: User, community: Community | None, address: str | None = None) -> Actor:
    return Actor(
        key=f"u:{user.id}",
        name=user.display_name,
        role=user.role,
        user_id=user.id,
        community_id=user.community_id,
        community_slug=community.slug if community else None,
        address=address,
        party_id=user.party_id if user.role == "party" else None,
    )


class Accounts:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        failures: FailureCounter,
        events: EventBus,
        *,
        max_failures: int = 10,
        window_s: float = 60.0,
    ) -> None:
        self.db = db
        self.clock = clock
        self.failures = failures
        self.events = events
        self.max_failures = max_failures
        self.window_s = window_s

    async def create_user(
        self,
        username: str,
        password: str,
        role: str,
        community_slug: str | None = None,
        display_name: str | None = None,
        party_id: int | None = None,
    ) -> User:
        username = username.strip().lower()
        if not username or not set(username) <= USERNAME_CHARS or len(username) > 64:
            raise Invalid("username: 1-64 of a-z 0-9 - _ .")
        if role not in ROLES:
            raise Invalid(f"role must be one of {', '.join(ROLES)}")
        if len(password) < 8:
            raise Invalid("password: at least 8 characters")
        password_hash = await asyncio.to_thread(hash_password, password)  # ~0.1 s of CPU
        async with self.db.transaction() as s:
            community = None
            if community_slug:
                community = await community_by_slug(s, community_slug)
                if community is None:
                    raise NotFound(f"no community {community_slug}")
            if role in ("moderator", "host") and community is None:
                raise Invalid("moderators and hosts belong to a community (--community)")
            party = None
            if role == "party":
                if party_id is None:
                    raise Invalid("a party account belongs to a party (--party ID)", code="party_required")
                party = await get_party(s, party_id)
                if party is None:
                    raise NotFound(f"no party {party_id}")
                if community is not None and party.community_id not in (None, community.id):
                    raise Invalid("that party belongs to another community", code="bad_party")
            elif party_id is not None:
                raise Invalid("only accounts of role party have a party", code="bad_party")
            if await user_by_username(s, username):
                raise Conflict(f"user {username} exists")
            user = User(
                username=username,
                display_name=(display_name or username)[:64],
                role=role,
                community_id=community.id if community else (party.community_id if party else None),
                party_id=party.id if party else None,
                password_hash=password_hash,
                created_at=self.clock.now(),
            )
            await store.add_user(s, user)
        await self.events.publish(UserCreated(user.id, role))
        return user

    async def login(self, username: str, password: str, address: str) -> SignedIn:
        """Sign in by username, or by phone number for residents. Failures are throttled per
        username and address, and failures for unknown usernames per address as well (so that
        trying many names from one address is throttled too). The per-address budget is
        ``UNKNOWN_NAMES_PER_ADDRESS`` times the per-name one: many residents share one address
        behind a carrier's or a community centre's NAT, and a few mistyped names among them must
        not lock the others out. The password hash is checked without holding a database
        connection."""
        username = username.strip().lower()
        throttle_key = f"login:{address}:{username}"
        address_key = f"login-unknown:{address}"
        by_address = address_bannable(address)
        if await self.failures.recent(throttle_key, self.window_s) >= self.max_failures:
            raise TooManyAttempts("too many failed sign-ins; wait a minute")
        address_budget = self.max_failures * UNKNOWN_NAMES_PER_ADDRESS
        if by_address and await self.failures.recent(address_key, self.window_s) >= address_budget:
            raise TooManyAttempts("too many failed sign-ins from this address; wait a minute")
        phone = normalize_phone(username)
        async with self.db.read() as s:
            user = await user_by_phone(s, phone) if phone else None
            if user is None:
                user = await user_by_username(s, username)
        stored = user.password_hash if user else dummy_hash()
        ok = await asyncio.to_thread(verify_password, stored, password)  # ~0.1 s of CPU, no connection
        if user is None or not ok or user.disabled:
            await self.failures.add(throttle_key, self.window_s)
            if user is None and by_address:
                await self.failures.add(address_key, self.window_s)
            raise BadCredentials("wrong username or password")
        await self.failures.clear(throttle_key)
        return await self.start_session(user, address)

    async def start_session(self, user: User, address: str | None) -> SignedIn:
        """A new signed-in session for ``user`` (after a password or a confirmed SMS code)."""
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(24)
        now = self.clock.now()
        async with self.db.transaction() as s:
            community = await community_by_id(s, user.community_id) if user.community_id else None
            store.add_auth_session(
                s,
                AuthSession(
                    token_hash=_token_hash(token),
                    user_id=user.id,
                    csrf=csrf,
                    created_at=now,
                    expires_at=now + timedelta(days=SESSION_DAYS),
                ),
            )
        return SignedIn(token, csrf, actor_for(user, community, address))

    async def resolve(self, token: str, address: str | None = None) -> tuple[Actor, str] | None:
        """The actor and CSRF token of a session cookie, or None if it is unknown or expired."""
        async with self.db.read() as s:
            row = await store.auth_session(s, _token_hash(token))
            if row is None or row.expires_at <= self.clock.now():
                return None
            user = await store.get_user(s, row.user_id)
            if user is None or user.disabled:
                return None
            community = await community_by_id(s, user.community_id) if user.community_id else None
            return actor_for(user, community, address), row.csrf

    async def logout(self, token: str) -> None:
        """End a sign-in session; that person's open sockets re-check theirs on every process."""
        async with self.db.transaction() as s:
            row = await store.auth_session(s, _token_hash(token))
            if row is None:
                return
            user_id = row.user_id
            await store.end_auth_session(s, _token_hash(token))
        await self.events.publish(SignedOut(user_id))

    async def list_users(self) -> list[User]:
        async with self.db.read() as s:
            return await store.all_users(s)


def sign(secret: str, value: str) -> str:
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()[:32]
