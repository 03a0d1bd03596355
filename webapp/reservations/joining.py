"""Which video-call app an online session uses, named from its link (so the pages can say it)."""
from __future__ import annotations

from urllib.parse import urlsplit

#: Host (or its parent domain) -> the app's name as residents know it.
VIDEO_APPS = {
    "zoom.us": "Zoom", "zoom.com": "Zoom", "meet.google.com": "Google Meet",
    "teams.microsoft.com": "Microsoft Teams", "teams.live.com": "Microsoft Teams",
    "webex.com": "Webex", "whereby.com": "Whereby", "meet.jit.si": "Jitsi Meet",
}


def video_app(join_url: str | None) -> str | None:
    """'Zoom', 'Google Meet', ... for a known link; None when the link is empty or unknown."""
    host = (urlsplit(join_url or "").hostname or "").lower()
    while host:
        if host in VIDEO_APPS:
            return VIDEO_APPS[host]
        host = host.partition(".")[2]
    return None
