"""The services of one running app, built once at start-up and shared by both transports."""

from __future__ import annotations

from dataclasses import dataclass, field

from live.clock import Clock
from live.events import EventBus
from live.services.accountability import Accountability
from live.services.accounts import Accounts
from live.services.admin import Admin
from live.services.agenda import Agenda
from live.services.archive import Archive
from live.services.categories import Categories
from live.services.chat import Chat
from live.services.households import Households
from live.services.images import Photos
from live.services.inbox import Inbox
from live.services.jobs import Jobs
from live.services.meetings import Meetings
from live.services.moderation import Moderation
from live.services.moments import Moments
from live.services.navigation import Navigation
from live.services.onbehalf import OnBehalf
from live.services.opinions import Opinions
from live.services.outreach import Outreach
from live.services.places import Places
from live.services.polls import Polls
from live.services.presence import Presence
from live.services.questions import Questions
from live.services.registration import Registration
from live.services.registrations import Registrations
from live.services.rooms import Rooms
from live.services.signals import Signals
from live.services.sms import SmsSender
from live.services.stats import Stats
from live.services.votes import Votes
from live.services.wordfilter import WordFilter
from live.services.words import WordList
from live.settings import Settings
from live.storage.db import Database


@dataclass
class Services:
    settings: Settings
    clock: Clock
    db: Database
    events: EventBus
    accounts: Accounts
    places: Places
    rooms: Rooms
    categories: Categories
    opinions: Opinions
    agenda: Agenda
    meetings: Meetings
    inbox: Inbox
    archive: Archive
    admin: Admin
    words: WordList
    wordfilter: WordFilter
    chat: Chat
    moderation: Moderation
    presence: Presence
    signals: Signals
    navigation: Navigation
    households: Households
    registration: Registration
    sms: SmsSender
    polls: Polls
    questions: Questions
    registrations: Registrations
    votes: Votes
    onbehalf: OnBehalf = field(init=False)
    moments: Moments = field(init=False)
    photos: Photos = field(init=False)
    # built from the others: QR codes, posters and calendars of sessions, items and meetings
    outreach: Outreach = field(init=False)

    def __post_init__(self) -> None:
        self.moments = Moments(self.db, self.clock, self.archive)
        self.photos = Photos(self.settings.data_dir)
        self.onbehalf = OnBehalf(
            self.db, self.clock, self.opinions, self.votes, self.accountability, self.households
        )
        self.outreach = Outreach(self.rooms, self.meetings, self.agenda, self.places, self.clock)

    accountability: Accountability
    jobs: Jobs
    stats: Stats
