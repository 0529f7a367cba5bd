"""Builds the live room's services (chat, word list, moderation, presence, signals) for one app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from live.clock import Clock
from live.events import EventBus
from live.services.chat import Chat
from live.services.chat_rules import ChatRules
from live.services.chat_writer import GroupWriter
from live.services.limits import PersonLimit
from live.services.moderation import Moderation
from live.services.presence import Presence
from live.services.redis_health import RedisHealth
from live.services.signals import Signals
from live.services.wordfilter import WordFilter
from live.services.words import WordList
from live.settings import Settings
from live.storage.db import Database


@dataclass
class RoomServices:
    words: WordList
    wordfilter: WordFilter
    chat: Chat
    moderation: Moderation
    presence: Presence
    signals: Signals


def build_room_services(
    settings: Settings,
    clock: Clock,
    db: Database,
    redis: Any,
    events: EventBus,
    health: RedisHealth | None = None,
) -> RoomServices:
    """In memory without Redis; shared through Redis (under ``settings.redis_prefix``) with it,
    each part falling back to this process alone while Redis is away (``health`` notes it)."""
    prefix = settings.redis_prefix
    health = health or RedisHealth(redis)
    bucket = PersonLimit.build(
        redis, clock, settings.chat_rate_per_s, settings.chat_burst, prefix, settings.address_factor, health
    )
    words = WordList(db, clock)
    wordfilter = WordFilter(words, clock)
    presence = Presence(
        db,
        clock,
        redis=redis,
        prefix=prefix,
        ttl_s=settings.presence_ttl_s,
        sample_s=settings.viewer_sample_s,
        health=health,
    )
    signals = Signals(redis, f"{prefix}:signals", health=health)
    rules = ChatRules(db, clock, signals)
    return RoomServices(
        words=words,
        wordfilter=wordfilter,
        chat=Chat(db, clock, wordfilter, bucket, presence, events, rules, GroupWriter(db, clock)),
        moderation=Moderation(db, clock, events, rules),
        presence=presence,
        signals=signals,
    )
