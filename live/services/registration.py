"""Residents' own accounts: register with a display name, a mobile number and a password,
confirmed by a one-time code sent by SMS; reset a forgotten password the same way.

Codes: 6 digits, valid ``CODE_MINUTES``, single use (a new code replaces the previous one), kept
only as an HMAC. Sending is throttled per number and per address; after ``MAX_BAD_CODES`` wrong
codes for a number, confirming it is refused (429) until the window has passed."""

from __future__ import annotations

import asyncio
import hmac
import secrets
from datetime import timedelta

from live.clock import Clock
from live.errors import Conflict, Invalid, TooManyAttempts
from live.events import EventBus, SignedOut, UserCreated
from live.services.accounts import Accounts, SignedIn, sign
from live.services.guests import clean_display_name
from live.services.passwords import hash_password
from live.services.phones import require_phone
from live.services.sanctions import address_bannable
from live.services.sms import SmsSender
from live.services.throttle import FailureCounter
from live.storage.accounts import PhoneCode, PhoneStore, User
from live.storage.db import Duplicate

CODE_MINUTES = 10
#: Codes sent to one number per hour, and from one address per hour.
SENDS_PER_NUMBER = 5
SENDS_PER_ADDRESS = 20
SEND_WINDOW_S = 3600.0
#: Wrong codes for one number (or from one address) within the window before 429.
MAX_BAD_CODES = 5
BAD_CODE_WINDOW_S = 3600.0
PASSWORD_MIN = 8
REGISTER, RESET = "register", "reset"
TEXTS = {
    REGISTER: "【圆桌直播间】您的注册验证码是 {code}，{minutes} 分钟内有效。请勿告诉他人。",
    RESET: "【圆桌直播间】您正在重设密码，验证码是 {code}，{minutes} 分钟内有效。如非本人操作请忽略。",
}


def _password(raw: str) -> str:
    if len(raw) < PASSWORD_MIN:
        raise Invalid(f"password: at least {PASSWORD_MIN} characters", code="bad_password")
    return raw


def _code(raw: str) -> str:
    code = raw.strip()
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        raise Invalid("the code is the 6 digits of the text message", code="bad_code")
    return code


class Registration:
    def __init__(
        self,
        store: PhoneStore,
        accounts: Accounts,
        sms: SmsSender,
        failures: FailureCounter,
        clock: Clock,
        events: EventBus,
        secret: str,
    ) -> None:
        self.store = store
        self.accounts = accounts
        self.sms = sms
        self.failures = failures
        self.clock = clock
        self.events = events
        self.secret = secret

    def _hash(self, phone: str, purpose: str, code: str) -> str:
        return sign(self.secret, f"sms:{purpose}:{phone}:{code}")

    async def _throttle_send(self, phone: str, address: str | None) -> None:
        keys = [(f"sms-send:n:{phone}", SENDS_PER_NUMBER)]
        if address and address_bannable(address):
            keys.append((f"sms-send:a:{address}", SENDS_PER_ADDRESS))
        for key, limit in keys:
            if await self.failures.recent(key, SEND_WINDOW_S) >= limit:
                raise TooManyAttempts("too many codes requested; wait an hour and try again")
        for key, _limit in keys:
            await self.failures.add(key, SEND_WINDOW_S)

    def _bad_keys(self, phone: str, address: str | None) -> list[str]:
        keys = [f"sms-bad:n:{phone}"]
        if address and address_bannable(address):
            keys.append(f"sms-bad:a:{address}")
        return keys

    async def _send(
        self, phone: str, purpose: str, name: str | None = None, password_hash: str | None = None
    ) -> None:
        code = f"{secrets.randbelow(1_000_000):06d}"
        now = self.clock.now()
        await self.store.add_code(
            PhoneCode(
                phone=phone,
                purpose=purpose,
                code_hash=self._hash(phone, purpose, code),
                name=name,
                password_hash=password_hash,
                created_at=now,
                expires_at=now + timedelta(minutes=CODE_MINUTES),
                attempts=0,
            )
        )
        await self.sms.send(phone, code, TEXTS[purpose].format(code=code, minutes=CODE_MINUTES), purpose)

    async def _check(self, phone: str, purpose: str, raw_code: str, address: str | None) -> PhoneCode:
        """The stored code that ``raw_code`` matches; 400 ``bad_code`` otherwise (counted), 429
        after too many wrong ones for the number or the address."""
        keys = self._bad_keys(phone, address)
        for key in keys:
            if await self.failures.recent(key, BAD_CODE_WINDOW_S) >= MAX_BAD_CODES:
                raise TooManyAttempts("too many wrong codes; wait an hour and ask for a new one")
        row = await self.store.current_code(phone, purpose)
        code = raw_code.strip()
        good = (
            row is not None
            and row.expires_at > self.clock.now()
            and hmac.compare_digest(row.code_hash, self._hash(phone, purpose, code))
        )
        if not good or row is None:
            for key in keys:
                await self.failures.add(key, BAD_CODE_WINDOW_S)
            if row is not None:
                await self.store.count_wrong(row.id)
            raise Invalid("wrong or expired code", code="bad_code")
        return row

    async def register(self, name: str, raw_phone: str, password: str, address: str | None) -> None:
        """Send a registration code to a new number; 409 ``phone_taken`` for a known one."""
        display = clean_display_name(name)
        phone = require_phone(raw_phone)
        _password(password)
        if await self.store.phone_taken(phone):
            raise Conflict(
                "this number already has an account; sign in or reset the password", code="phone_taken"
            )
        await self._throttle_send(phone, address)
        password_hash = await asyncio.to_thread(hash_password, password)
        await self._send(phone, REGISTER, display, password_hash)

    async def confirm(self, raw_phone: str, raw_code: str, address: str | None) -> SignedIn:
        """The right code creates the resident's account and signs them in."""
        phone = require_phone(raw_phone)
        row = await self._check(phone, REGISTER, _code_or_bad(raw_code), address)
        assert row.name is not None and row.password_hash is not None
        now = self.clock.now()
        user = User(
            username=f"r-{secrets.token_hex(6)}",
            display_name=row.name,
            role="resident",
            community_id=None,
            password_hash=row.password_hash,
            phone=phone,
            created_at=now,
            disabled=False,
        )
        try:
            created = await self.store.create_resident(row.id, user, now)
        except Duplicate as err:
            raise Conflict("this number already has an account", code="phone_taken") from err
        if created is None:
            raise Invalid("wrong or expired code", code="bad_code")
        for key in self._bad_keys(phone, address):
            await self.failures.clear(key)
        await self.events.publish(UserCreated(created.id, created.role))
        return await self.accounts.start_session(created, address)

    async def request_reset(self, raw_phone: str, address: str | None) -> None:
        """Send a reset code if the number has an account (the answer is the same either way)."""
        phone = require_phone(raw_phone)
        await self._throttle_send(phone, address)
        user = await self.store.user_with_phone(phone)
        if user is not None and not user.disabled:
            await self._send(phone, RESET)

    async def confirm_reset(
        self, raw_phone: str, raw_code: str, password: str, address: str | None
    ) -> SignedIn:
        """The right code sets the new password, ends every other sign-in, and signs in."""
        phone = require_phone(raw_phone)
        _password(password)
        row = await self._check(phone, RESET, _code_or_bad(raw_code), address)
        user = await self.store.user_with_phone(phone)
        if user is None or user.disabled:
            raise Invalid("wrong or expired code", code="bad_code")
        password_hash = await asyncio.to_thread(hash_password, password)
        updated = await self.store.reset_password(row.id, user.id, password_hash, self.clock.now())
        if updated is None:
            raise Invalid("wrong or expired code", code="bad_code")
        for key in self._bad_keys(phone, address):
            await self.failures.clear(key)
        await self.events.publish(SignedOut(user.id))
        return await self.accounts.start_session(updated, address)


def _code_or_bad(raw: str) -> str:
    """A malformed code counts as a wrong one (it is checked, and counted, like any other)."""
    try:
        return _code(raw)
    except Invalid:
        return raw.strip()[:16] or "-"
