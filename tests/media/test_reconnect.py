"""A publisher that drops leaves the session reconnecting; publishing again resumes the same
viewers and the same HLS stream."""

from __future__ import annotations

import itertools
from pathlib import Path

from media.hls_playlist import read_playlist
from media.hub import MediaHub

from .synthetic import decode_mp4, publish, segment_count, wait_until, watch

# the counters of the three hosts of test_drop_grace_and_resume
RUNS = ((1, 5000), (5000, 9000), (9000, 1 << 16))


async def test_drop_grace_and_resume(tmp_path: Path) -> None:
    hub = MediaHub(tmp_path, grace_s=1.5, media_timeout_s=2.0)
    states: list[str] = []
    hub.add_listener(lambda _session, state: states.append(state))
    try:
        viewer = await watch(hub, 3)
        first = await publish(hub, 3, start=1)
        await wait_until(lambda: len(viewer.counters) >= 45, 15, "frames before the drop")

        await first.pc.close()  # the host's connection goes away without a goodbye
        closed_at = first.video.counter  # the first host sent the counters below this one
        await wait_until(lambda: hub.stats(3)["reconnecting"], 5, "the reconnecting state")
        stats = hub.stats(3)
        assert stats["publishing"] is False and stats["viewers"] == 1
        received = len(viewer.counters)
        # the segment in progress is published at once, so HLS viewers get everything
        segments_at_drop = segment_count(hub.hls_dir(3))
        assert segments_at_drop >= 1

        await wait_until(lambda: hub.stats(3)["state"] == "idle", 5, "the grace period to end")
        assert hub.stats(3)["reconnecting"] is False
        # nothing new flowed while reconnecting (the whole grace period has passed by now): what
        # arrived since is the first host's frames still on their way, in order, never a repeat
        # or a made-up picture (counting frames would depend on how many were in flight)
        later = viewer.counters[received - 1 :]
        assert all(a < b < closed_at for a, b in itertools.pairwise(later)), later

        second = await publish(hub, 3, start=5000)  # the host comes back
        await wait_until(lambda: sum(1 for c in viewer.counters if c >= 5000) >= 30, 15, "resumed frames")
        resumed = [c for c in viewer.counters if c >= 5000]
        assert resumed[0] < 5020  # a keyframe came right away
        assert hub.stats(3)["publishing"] is True

        # a second publish while live replaces the first publisher
        third = await publish(hub, 3, start=9000)
        await wait_until(lambda: second.pc.connectionState in ("closed", "failed"), 10, "the old host to go")
        await wait_until(lambda: sum(1 for c in viewer.counters if c >= 9000) >= 10, 15, "replaced frames")
        await hub.stop_publishing(3, third.resource_id)
        assert hub.stats(3)["reconnecting"] is True

        recording = await hub.end(3)
        assert recording is not None
        playlist = read_playlist(hub.hls_dir(3))
        assert playlist is not None and playlist.ended
        # one continuous stream: the time without a host is not in the recording
        assert "#EXT-X-DISCONTINUITY" not in recording.path.read_text()
        assert len(playlist.segments) > segments_at_drop
        # the recording lasts as long as the three hosts published: the span of the counters
        # each one stamped at 30 per second (not the number of frames the viewer got, which
        # falls short whenever the encoder skips frames on a busy machine)
        runs = [[c for c in viewer.counters if low <= c < high] for low, high in RUNS]
        published_s = sum((max(run) - min(run) + 1) / 30 for run in runs)
        assert abs(recording.duration_s - published_s) < 2.5, (recording.duration_s, published_s)
        assert states[:4] == ["live", "reconnecting", "idle", "live"], states
        assert states[-1] == "ended"
        packets, frames, duration_s = decode_mp4(await hub.remux_mp4(3))
        assert frames == packets >= 60
        assert abs(duration_s - recording.duration_s) < 0.5, (duration_s, recording.duration_s)
        await viewer.close()
        for host in (first, second, third):
            await host.pc.close()
    finally:
        await hub.close()


async def test_server_restart_continues_the_recording(tmp_path: Path) -> None:
    before = MediaHub(tmp_path)
    host = await publish(before, 8)
    await wait_until(lambda: segment_count(before.hls_dir(8)) >= 1, 10, "a first segment")
    await before.close()  # the process stops while the session is live
    await host.pc.close()
    kept = segment_count(tmp_path / "hls" / "8")
    assert kept >= 1

    after = MediaHub(tmp_path)
    try:
        host = await publish(after, 8)
        await wait_until(lambda: segment_count(after.hls_dir(8)) > kept, 10, "new segments")
        recording = await after.end(8)
        assert recording is not None
        text = recording.path.read_text()
        assert text.count("#EXT-X-DISCONTINUITY") == 1 and text.rstrip().endswith("#EXT-X-ENDLIST")
        playlist = read_playlist(after.hls_dir(8))
        assert playlist is not None and playlist.segments[kept].discontinuity
        packets, frames, duration_s = decode_mp4(await after.remux_mp4(8))
        assert frames == packets, (frames, packets, text)
        assert abs(duration_s - recording.duration_s) < 0.5, (duration_s, recording.duration_s, text)
        await host.pc.close()
    finally:
        await after.close()
