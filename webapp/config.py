"""Configuration: environment variables first, sensible defaults for the embedded set-up."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from webapp import profile as deployment_profile

#: Phrases that mark a resident's message as a crisis (the check-in goes first in line), matched
#: by meaning: each is analysed into lemmas, so 死にたい also finds しにたい, 死にたくなる, ｼﾆﾀｲ.
#: `...` lets a few words stand between two parts. Admins edit them in the app (crisis settings).
DEFAULT_CRISIS_PHRASES = [
    "死にたい", "死のう", "死んでしまいたい", "死んで楽になりたい", "死んだ方がまし", "死んだ方がいい",
    "死ねたらいい", "死ねたら楽", "死ぬ方法", "死ねる方法",
    "いなくなりたい", "いない方がいい", "いなくなった方がいい",
    "消えたい", "消えた方がいい", "消えてなくなりたい", "消えたくなる",
    "生きていたくない", "生きたくない", "生きる...意味...ない", "生きる意味がわからない",
    "生きていても仕方がない", "生きていてもしょうがない", "生きるのがつらい", "生きるのに疲れた", "生きるのがしんどい",
    "生まれてこなければよかった",
    "もう終わりにしたい", "全部終わりにしたい", "人生を終わりにしたい", "人生を終わらせたい",
    "自分を終わらせたい", "命を絶ちたい",
    "もう楽になりたい", "早く楽になりたい", "いっそ楽になりたい",
    "飛び降りたい", "首を吊りたい", "明日が来なければいい", "目が覚めなければいい",
]

#: Words matched as written (after NFKC and kana folding): single nouns (自殺, じさつ), and forms
#: written all in hiragana that the analyser reads otherwise (いきて is also 行きて, しん a noun).
DEFAULT_CRISIS_WORDS = ["自殺", "じさつ", "自死", "しんじゃいたい", "しんでしまいたい", "しんだほうが",
                        "いきていたくない", "いきてたくない", "いきてるいみ", "いきているいみ"]

#: Contacts shown at once when a crisis word is seen, and on the "outside hours" panel.
DEFAULT_CRISIS_CONTACTS = [
    {"name_ja": "あなたのいばしょ チャット相談", "name_en": "Anata no Ibasho chat",
     "detail_ja": "24時間365日・無料・匿名のチャット相談", "detail_en": "Anonymous chat, free, 24 hours a day",
     "url": "https://talkme.jp/"},
    {"name_ja": "よりそいホットライン", "name_en": "Yorisoi Hotline",
     "detail_ja": "24時間・無料の電話相談 0120-279-338", "detail_en": "Free phone line, 24 hours: 0120-279-338",
     "url": "tel:0120279338"},
    {"name_ja": "緊急のとき（救急・警察）", "name_en": "Emergency (ambulance, police)",
     "detail_ja": "命の危険があるときは 119 / 110", "detail_en": "If a life is in danger: 119 / 110",
     "url": "tel:119"},
]


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() not in ("0", "false", "no", "off", "")


def _proxy_count(value: str) -> int:
    """TRUST_PROXY as a number of proxies: "true" is one, "" or "false" none."""
    value = value.strip().lower()
    if value.isdigit():
        return int(value)
    return 0 if value in ("", "0", "false", "no", "off") else 1


def _secret_key(instance: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept under instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


#: Settings the profile decides that the environment may still override (an operator's quick change).
_ENV_OVERRIDES = {"SESSION_START": str, "SESSION_END": str, "SLOT_MINUTES": int, "SLOT_CAPACITY": int,
                  "STATS_PUBLIC_THRESHOLD": int, "CITY_MADOGUCHI_URL": str, "TOTP_ISSUER": str}


def _from_profile(profile) -> dict:
    """The profile's settings (webapp/profile/), with the overrides above taken from the environment."""
    values = deployment_profile.config_of(profile)
    for name, kind in _ENV_OVERRIDES.items():
        if os.environ.get(name):
            values[name] = kind(os.environ[name])
    if os.environ.get("STATS_PUBLIC_ENABLED") is not None:
        values["STATS_PUBLIC_ENABLED"] = _env_bool("STATS_PUBLIC_ENABLED", True)
    return values


def load(instance: Path) -> dict:
    """The whole configuration as a dict, for `app.config.update`."""
    instance.mkdir(parents=True, exist_ok=True)
    return {
        "SECRET_KEY": _secret_key(instance),
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'ikomaru.sqlite3'}",
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "RELAY_PUBLIC_URL": os.environ.get("RELAY_PUBLIC_URL") or "ws://127.0.0.1:8765/ws",
        "RATELIMIT_ENABLED": _env_bool("RATELIMIT_ENABLED", True),
        "SESSION_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", False),
        # Proxies in front that set X-Forwarded-For/-Proto (nginx: 1); 0 trusts no forwarded header.
        "TRUST_PROXY": _proxy_count(os.environ.get("TRUST_PROXY", "")),
        # Staff sign-ins (webapp/staff/login_sessions.py): ended after this long without a request, and
        # this long after signing in, whatever happens.
        "STAFF_IDLE_TIMEOUT_MINUTES": float(os.environ.get("STAFF_IDLE_TIMEOUT_MINUTES", "120")),
        "STAFF_SESSION_MAX_HOURS": float(os.environ.get("STAFF_SESSION_MAX_HOURS", "12")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "ja",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Tokyo",
        # One device may hold this many reservations per session (0: no cap); webapp/reservations/cap.py.
        "RESERVATIONS_PER_CLIENT_PER_SESSION": int(os.environ.get("RESERVATIONS_PER_CLIENT_PER_SESSION", "2")),
        "CRISIS_PHRASES": list(DEFAULT_CRISIS_PHRASES),
        # Seconds between two looks for crisis phrases or contacts an admin changed (0: every line).
        "CRISIS_REFRESH_S": float(os.environ.get("CRISIS_REFRESH_S", "3")),
        "CRISIS_WORDS": list(DEFAULT_CRISIS_WORDS),
        # Relay and queue (docs/realtime.md). ALLOWED_ORIGINS: comma-separated; unset = derived by serve/relay.
        "ALLOWED_ORIGINS": [o.strip() for o in os.environ.get("ALLOWED_ORIGINS", "").split(",") if o.strip()],
        "CHECKIN_TIMEOUT_MINUTES": int(os.environ.get("CHECKIN_TIMEOUT_MINUTES", "15")),
        "AVERAGE_CONSULTATION_MINUTES": int(os.environ.get("AVERAGE_CONSULTATION_MINUTES", "20")),
        "RELAY_CHANNEL_PREFIX": os.environ.get("RELAY_CHANNEL_PREFIX", "ikomaru:relay:"),
        # Seconds between rounds of relay upkeep; closing notices and ends also wake it on time.
        "RELAY_MAINTENANCE_S": float(os.environ.get("RELAY_MAINTENANCE_S", "30")),
        # The relay process's GIL switch interval in seconds; unset, realtime/server.py's SWITCH_INTERVAL_S.
        "RELAY_SWITCH_INTERVAL_S": os.environ.get("RELAY_SWITCH_INTERVAL_S") or None,
        # Presence (接続中 / 離席中): each relay says it is alive (its residents connected) every
        # RELAY_PRESENCE_HEARTBEAT_S; a word not renewed within PRESENCE_TTL_S (a dead relay's) expires.
        "RELAY_PRESENCE_HEARTBEAT_S": float(os.environ.get("RELAY_PRESENCE_HEARTBEAT_S", "2")),
        "PRESENCE_TTL_S": float(os.environ.get("PRESENCE_TTL_S", "8")),
        # The metaverse rooms' roll call between relays: someone on a relay silent for 3x this has left.
        "ROOM_HERE_S": float(os.environ.get("ROOM_HERE_S", "5")),
        "MESSAGE_RETENTION_DAYS": int(os.environ.get("MESSAGE_RETENTION_DAYS", "30")),
        # Audit events older than this are deleted by `purge` (webapp/audit/).
        "AUDIT_RETENTION_DAYS": int(os.environ.get("AUDIT_RETENTION_DAYS", "400")),
        "CANCELLED_FEED_DAYS": 60,
        # Seconds a public, anonymous answer may be reused (webapp/microcache.py); 0 turns it off.
        "PUBLIC_CACHE_SECONDS": float(os.environ.get("PUBLIC_CACHE_SECONDS", "1")),
        **_from_profile(deployment_profile.load()),
        # Admins must sign in with a second factor (TOTP); webapp/staff/twofactor/. Promoters may opt in.
        "ADMIN_2FA_REQUIRED": _env_bool("ADMIN_2FA_REQUIRED", True),
        # Caps an abuser cannot step around (docs/security.md "Rate limits"); 0 turns one off.
        "CHECKINS_PER_CLIENT_PER_SESSION": int(os.environ.get("CHECKINS_PER_CLIENT_PER_SESSION", "10")),
        "CHECKINS_PER_SESSION_PER_HOUR": int(os.environ.get("CHECKINS_PER_SESSION_PER_HOUR", "200")),
        "RESERVATIONS_PER_SESSION_PER_HOUR": int(os.environ.get("RESERVATIONS_PER_SESSION_PER_HOUR", "60")),
        "LOGIN_FAILURES_PER_ACCOUNT": int(os.environ.get("LOGIN_FAILURES_PER_ACCOUNT", "10")),
        "LOGIN_FAILURE_WINDOW_MINUTES": int(os.environ.get("LOGIN_FAILURE_WINDOW_MINUTES", "15")),
        # Host names this deployment answers to (comma-separated; ".example.org" takes its subdomains too).
        # Unset: any (development). Production must set it: links are built from the Host header.
        "TRUSTED_HOSTS": [h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h.strip()] or None,
    }
