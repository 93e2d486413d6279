"""The embedded demo: Tocsin serves its own sample feeds over loopback HTTP.

With no platform token, `make run` polls these through the real fetch path, so a
newcomer sees the whole pipeline work without accounts or the internet. A "live"
feed publishes a new item every few seconds to show alerts arriving over time.
"""

from __future__ import annotations

import ipaddress
import logging
import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from importlib import resources
from typing import Any
from xml.sax.saxutils import escape

from aiohttp import web

from bot.storage import Storage
from bot.timeutil import Clock, utcnow
from feeds.netguard import Endpoint

logger = logging.getLogger(__name__)

DEMO_KIND = "demo"
LIVE_SLUG = "live"


@dataclass(frozen=True)
class DemoItem:
    guid: str
    title: str
    summary: str
    published: datetime


@dataclass(frozen=True)
class DemoFeed:
    slug: str
    title: str
    lang: str
    format: str
    items: tuple[DemoItem, ...]


def load_demo_data(started: datetime) -> tuple[list[DemoFeed], list[dict[str, Any]]]:
    raw = tomllib.loads(
        resources.files("feeds").joinpath("demo/demo_feeds.toml").read_text(encoding="utf-8")
    )
    feeds = []
    for feed in raw["feed"]:
        items = tuple(
            DemoItem(
                guid=f"tocsin-demo:{feed['slug']}:{index}",
                title=item["title"],
                summary=item.get("summary", ""),
                published=started - timedelta(hours=item["hours_ago"]),
            )
            for index, item in enumerate(feed["item"])
        )
        feeds.append(DemoFeed(feed["slug"], feed["title"], feed["lang"], feed["format"], items))
    return feeds, list(raw.get("live", []))


def render_rss(feed: DemoFeed, base: str) -> str:
    items = "".join(
        "<item>"
        f"<title>{escape(item.title)}</title>"
        f"<link>{base}/demo/{feed.slug}/{index}</link>"
        f'<guid isPermaLink="false">{escape(item.guid)}</guid>'
        f"<description>{escape(item.summary)}</description>"
        f"<pubDate>{format_datetime(item.published)}</pubDate>"
        "</item>"
        for index, item in enumerate(feed.items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<rss version="2.0"><channel><title>{escape(feed.title)}</title>'
        f"<link>{base}/demo/{feed.slug}</link><language>{feed.lang}</language>"
        f"<description>Tocsin demo feed</description>{items}</channel></rss>"
    )


def render_atom(feed: DemoFeed, base: str) -> str:
    newest = max((item.published for item in feed.items), default=utcnow())
    entries = "".join(
        "<entry>"
        f"<title>{escape(item.title)}</title>"
        f'<link href="{base}/demo/{feed.slug}/{index}"/>'
        f"<id>{escape(item.guid)}</id>"
        f"<updated>{item.published.isoformat()}</updated>"
        f"<summary>{escape(item.summary)}</summary>"
        "</entry>"
        for index, item in enumerate(feed.items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{feed.lang}">'
        f"<title>{escape(feed.title)}</title><id>tocsin-demo:{feed.slug}</id>"
        f'<link href="{base}/demo/{feed.slug}"/><updated>{newest.isoformat()}</updated>'
        f"{entries}</feed>"
    )


class DemoFeedServer:
    """Serves the demo feeds on 127.0.0.1; the live feed grows while it runs."""

    def __init__(
        self, *, clock: Clock = utcnow, live_every_seconds: float = 20.0, port: int = 0
    ) -> None:
        self._clock = clock
        self._started = clock()
        self._feeds, self._live_pool = load_demo_data(self._started)
        self._live_every = live_every_seconds
        self._port = port
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        # Where the server listens, once started: the one place the demo may fetch from.
        self.endpoint: Endpoint | None = None

    @property
    def slugs(self) -> list[str]:
        return [feed.slug for feed in self._feeds] + ([LIVE_SLUG] if self._live_pool else [])

    def feed_url(self, slug: str) -> str:
        return f"{self.base_url}/demo/{slug}.xml"

    def live_feed(self) -> DemoFeed:
        """Items published so far: one from the pool every `live_every_seconds`."""
        now = self._clock()
        count = int((now - self._started).total_seconds() // self._live_every)
        items = []
        for number in range(max(count - 19, 0), count):
            template = self._live_pool[number % len(self._live_pool)]
            items.append(
                DemoItem(
                    guid=f"tocsin-demo:live:{self._started.isoformat()}:{number}",
                    title=template["title"],
                    summary=template.get("summary", ""),
                    published=self._started + timedelta(seconds=(number + 1) * self._live_every),
                )
            )
        return DemoFeed(LIVE_SLUG, "Tocsin live demo", "en", "rss", tuple(reversed(items)))

    async def _serve(self, request: web.Request) -> web.Response:
        slug = request.match_info["slug"]
        if slug == LIVE_SLUG and self._live_pool:
            body = render_rss(self.live_feed(), self.base_url)
            return web.Response(text=body, content_type="application/rss+xml")
        for feed in self._feeds:
            if feed.slug == slug:
                if feed.format == "atom":
                    return web.Response(
                        text=render_atom(feed, self.base_url), content_type="application/atom+xml"
                    )
                return web.Response(
                    text=render_rss(feed, self.base_url), content_type="application/rss+xml"
                )
        raise web.HTTPNotFound()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/demo/{slug}.xml", self._serve)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._port)
        await site.start()
        port = self._runner.addresses[0][1]
        self.endpoint = (ipaddress.ip_address("127.0.0.1"), int(port))
        self.base_url = f"http://127.0.0.1:{port}"
        logger.info("demo feeds served at %s/demo/", self.base_url)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


async def register_demo_feeds(storage: Storage, server: DemoFeedServer, now: datetime) -> int:
    """Add the demo feeds, or point the ones from an earlier run at this run's port."""
    existing = {
        feed.url.rsplit("/demo/", 1)[-1]: feed
        for feed in await storage.feeds.all()
        if feed.kind == DEMO_KIND and "/demo/" in feed.url
    }
    added = 0
    for slug in server.slugs:
        url = server.feed_url(slug)
        known = existing.get(f"{slug}.xml")
        if known is None:
            # Demo items are already "published" when the demo starts: let them alert.
            await storage.feeds.add(url, now=now, kind=DEMO_KIND, backlog_alerts=100)
            added += 1
        elif known.url != url:
            await storage.feeds.set_url(known.id, url)
            await storage.feeds.schedule_now([known.id], now)
    return added
