"""The replay of a past broadcast keeps its polls and answered questions at their moment."""

from __future__ import annotations

import re

from live.clock import FakeClock
from tests.interact.conftest import Live, People


async def test_polls_and_answered_questions_in_the_replay(
    live: Live, people: People, clock: FakeClock
) -> None:
    clock.advance(90)
    status, poll = await live.host.call(
        "POST",
        f"/api/sessions/{live.id}/polls",
        {"question": "加装电梯您同意吗？", "options": ["同意", "不同意"]},
    )
    voter = await people()
    await voter.call("POST", f"/api/polls/{poll['id']}/vote", {"options": [poll["options"][0]["id"]]})
    status, question = await voter.call(
        "POST", f"/api/sessions/{live.id}/questions", {"text": "费用怎么分摊？"}
    )
    await voter.call("POST", f"/api/sessions/{live.id}/questions", {"text": "没回答的问题"})
    clock.advance(150)
    await live.host.call("PATCH", f"/api/questions/{question['id']}", {"status": "answering"})
    clock.advance(60)
    await live.host.call("PATCH", f"/api/questions/{question['id']}", {"status": "answered"})
    status, _ = await live.host.call("POST", f"/api/sessions/{live.id}/end")
    assert status == 200

    page = await (await (await people()).http.get(f"/archive/{live.id}")).text()
    polls = page[page.index('data-testid="replay-polls"') :]
    assert "加装电梯您同意吗？" in polls and 'data-seek="90"' in polls
    assert re.search(r"同意</span><meter[^>]*value=\"1\"", polls)
    questions = page[page.index('data-testid="replay-questions"') :]
    assert "费用怎么分摊？" in questions and 'data-seek="240"' in questions
    assert "没回答的问题" not in page
