"""Imports every storage module so that ``Base.metadata`` knows every table (Alembic, tests)."""

from live.storage import (  # noqa: F401
    accountability,
    accounts,
    agenda,
    chat,
    households,
    meetings,
    moderation,
    onbehalf,
    opinions,
    places,
    polls,
    presence,
    questions,
    rooms,
    similar_index,
    support_counts,
    votes,
)
from live.storage.base import Base

metadata = Base.metadata
