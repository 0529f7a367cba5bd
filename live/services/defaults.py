"""Data Roundtable starts with (not demo data, not rules): the default opinion categories, in
Chinese and English, and the name a guest has before choosing one. Demo data lives in
``live/services/demo.py`` and ``live/services/demo_story.py``."""

from __future__ import annotations

#: (key, Chinese name, English name), in their default order; seeded idempotently.
DEFAULT_CATEGORIES = (
    ("property", "物业管理", "Property management"),
    ("garbage", "垃圾分类", "Garbage sorting"),
    ("parking", "车辆停放", "Parking"),
    ("renovation", "老旧小区改造", "Old compound renovation"),
    ("dispute", "邻里纠纷", "Neighbour disputes"),
    ("environment", "环境卫生", "Sanitation"),
    ("facilities", "公共设施", "Public facilities"),
    ("other", "其他", "Other"),
)

#: The display name of a guest who has not chosen one yet ("resident").
DEFAULT_GUEST_NAME = "居民"
