"""Settings, read from the environment once at start-up."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/live.db"
#: How room broadcasts reach sockets: Roundtable's encode-once manager, or python-socketio's own.
FANOUTS = ("fast", "stock")


class SettingError(ValueError):
    """A setting has a value Roundtable cannot run with; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """Every setting Roundtable reads; docs/configuration.md documents each one."""

    port: int = 8080
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    data_dir: Path = Path("var")
    secret: str = ""
    allowed_origins: tuple[str, ...] = ()
    #: How many reverse proxies in front append to X-Forwarded-For (0: the header is ignored).
    trust_proxy: int = 0
    max_webrtc_viewers: int = 200
    publisher_grace_s: float = 30.0
    chat_rate_per_s: float = 2.0
    chat_burst: int = 20
    sms_backend: str = "log"
    sms_webhook: str | None = None
    #: An address's budget (chat, opinions) in people's: 1 = one person's, whatever their identities.
    address_factor: float = 1.0
    #: Supports by people without a verified household, per address per hour.
    unverified_supports_per_hour: int = 10
    login_max_failures: int = 10
    login_window_s: float = 60.0
    presence_ttl_s: float = 30.0
    viewer_sample_s: float = 10.0
    redis_prefix: str = "rt"
    ice_servers: tuple[str, ...] = ()
    metrics_public: bool = False
    timezone: str = "Asia/Shanghai"
    hsts_s: int = 0
    public_url: str = ""
    sqlite_synchronous: str = "normal"
    hls_ladder: bool = True
    jobs_interval_s: float = 300.0
    due_soon_days: int = 1
    escalate_days: int = 5
    fanout: str = "fast"
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        data_dir = Path(env.get("LIVE_DATA_DIR", "var"))
        origins = tuple(o.strip() for o in env.get("LIVE_ALLOWED_ORIGINS", "").split(",") if o.strip())
        return cls(
            port=int(env.get("PORT", "8080")),
            database_url=env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            redis_url=env.get("REDIS_URL") or None,
            data_dir=data_dir,
            secret=env.get("LIVE_SECRET") or "",
            allowed_origins=origins,
            trust_proxy=proxy_hops(env.get("LIVE_TRUST_PROXY", "")),
            max_webrtc_viewers=int(env.get("LIVE_MAX_WEBRTC_VIEWERS", "200")),
            publisher_grace_s=float(env.get("LIVE_PUBLISHER_GRACE_S", "30")),
            chat_rate_per_s=float(env.get("LIVE_CHAT_RATE", "2")),
            chat_burst=int(env.get("LIVE_CHAT_BURST", "20")),
            sms_backend=env.get("LIVE_SMS_BACKEND") or "log",
            sms_webhook=env.get("LIVE_SMS_WEBHOOK") or None,
            address_factor=float(env.get("LIVE_ADDRESS_FACTOR", "1")),
            unverified_supports_per_hour=int(env.get("LIVE_UNVERIFIED_SUPPORTS", "10")),
            metrics_public=env.get("LIVE_METRICS_PUBLIC", "") in ("1", "true", "yes"),
            timezone=env.get("LIVE_TIMEZONE", "Asia/Shanghai"),
            hsts_s=int(env.get("LIVE_HSTS") or "0"),
            public_url=env.get("LIVE_PUBLIC_URL", "").strip().rstrip("/"),
            hls_ladder=env.get("LIVE_HLS_LADDER", "1") not in ("0", "false", "no"),
            ice_servers=tuple(u.strip() for u in env.get("LIVE_ICE_SERVERS", "").split() if u.strip()),
            presence_ttl_s=float(env.get("LIVE_PRESENCE_TTL_S", "30")),
            viewer_sample_s=float(env.get("LIVE_VIEWER_SAMPLE_S", "10")),
            redis_prefix=env.get("LIVE_REDIS_PREFIX") or "rt",
            sqlite_synchronous=_choice(
                env.get("LIVE_SQLITE_SYNCHRONOUS") or "normal", SQLITE_SYNCHRONOUS, "LIVE_SQLITE_SYNCHRONOUS"
            ),
            jobs_interval_s=float(env.get("LIVE_JOBS_INTERVAL_S", "300")),
            due_soon_days=int(env.get("LIVE_DUE_SOON_DAYS", "1")),
            escalate_days=int(env.get("LIVE_ESCALATE_DAYS", "5")),
            fanout=_choice(env.get("LIVE_FANOUT") or "fast", FANOUTS, "LIVE_FANOUT"),
        )

    def with_secret(self) -> Settings:
        """Fill in the cookie-signing secret, generating and keeping one in the data dir."""
        if self.secret:
            return self
        if not self.data_dir.exists():
            self.data_dir.mkdir(mode=0o750, parents=True, exist_ok=True)
        path = self.data_dir / "secret.key"
        try:
            # created 0600 in one step: never readable by others, not even for a moment
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48))
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        return _replace(self, secret=path.read_text().strip())


SQLITE_SYNCHRONOUS = ("normal", "full", "extra")


def _choice(value: str, allowed: tuple[str, ...], name: str) -> str:
    value = value.strip().lower()
    if value not in allowed:
        raise SettingError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def proxy_hops(raw: str) -> int:
    """``LIVE_TRUST_PROXY``: a number of proxies, or the old switch (``on``/``true``/``yes`` = 1)."""
    value = raw.strip().lower()
    if value in ("", "0", "off", "false", "no"):
        return 0
    if value in ("on", "true", "yes"):
        return 1
    if value.isdigit() and int(value) <= 16:
        return int(value)
    raise ValueError(f"LIVE_TRUST_PROXY must be a number of proxies (0-16) or on/off, not {raw!r}")


def _replace(settings: Settings, **changes: object) -> Settings:
    from dataclasses import replace

    return replace(settings, **changes)  # type: ignore[arg-type]
