"""LIVE_ICE_SERVERS reaches the media hub's peer connections."""

from __future__ import annotations

from live.http.media import ice_server
from live.settings import Settings


def test_ice_servers_are_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {"LIVE_ICE_SERVERS": "stun:stun.example.org:3478  turn:bob:s3cr@t@turn.example.org:3478"}
    )
    assert settings.ice_servers == ("stun:stun.example.org:3478", "turn:bob:s3cr@t@turn.example.org:3478")
    stun, turn = (ice_server(url) for url in settings.ice_servers)
    assert (stun.urls, stun.username) == ("stun:stun.example.org:3478", None)
    assert (turn.urls, turn.username, turn.credential) == ("turn:turn.example.org:3478", "bob", "s3cr@t")
    assert Settings.from_env({}).ice_servers == ()
