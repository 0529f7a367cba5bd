"""The migrations form one line: exactly one head, every revision reachable from it."""

from __future__ import annotations

from alembic.script import ScriptDirectory

from live.storage.migrate import alembic_config


def test_exactly_one_head_and_one_line() -> None:
    script = ScriptDirectory.from_config(alembic_config(""))
    heads = script.get_heads()
    assert len(heads) == 1, f"several heads: {heads}; point the newer migration's down_revision at the other"
    line = [rev.revision for rev in script.walk_revisions("base", heads[0])]
    assert len(line) == len(list(script.walk_revisions())), "a revision is off the line to the head"
    assert line[-1] == "0001"
