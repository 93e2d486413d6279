"""The poll cycle's side of stories: each new or edited event joins or starts one.

`StoryDesk` reads an entry's event into a `Report` and assigns it with the pure
`Grouper` (bot/stories/); the result (`StoryWrite`) is stored with the entry, its
event and its outbox rows in the poll's one transaction. Assignments and that
write happen under one lock, in order, so the grouper in memory and the stories
in the database move together; when a write fails, the grouper is rebuilt from
the database, which then holds exactly what it held before.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from bot.detect import Detector
from bot.domain.detection import Detection
from bot.domain.feed import Feed
from bot.i18n import languages
from bot.storage import Storage
from bot.storage.intents import StoriesStamp, StoryWrite
from bot.stories.config import GroupingConfig
from bot.stories.features import ReportBuilder
from bot.stories.grouping import Grouper
from bot.stories.records import FeedKey, Report, Story
from bot.stories.timing import moment
from feeds.models import NormalizedEntry

logger = logging.getLogger(__name__)


def report_id(feed_id: int, uid: str) -> str:
    """A report's id: its entry's identity in its feed, so a re-read entry keeps it."""
    digest = hashlib.sha256(uid.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"entry:{feed_id}:{digest}"


def outlet_name(feed: Feed) -> str:
    """How a story names a feed's outlet: its title, else its host."""
    title = " ".join(feed.title.split())
    if title:
        return title
    host = urlsplit(feed.url).hostname or feed.shown_url
    return host.removeprefix("www.")


class StoryDesk:
    """Builds reports and assigns them to stories for the pipeline."""

    def __init__(
        self,
        storage: Storage,
        detector: Detector,
        *,
        hold_back: timedelta = timedelta(seconds=60),
        config: GroupingConfig | None = None,
    ) -> None:
        self._storage = storage
        self._detector = detector
        # Built at the first event (it loads the gazetteer): runs that see no event
        # never pay for it.
        self._builder: ReportBuilder | None = None
        self._config = config or GroupingConfig()
        self.hold_back = hold_back
        self.lock = asyncio.Lock()
        self._grouper: Grouper | None = None
        # The stored stories' stamp the grouper in memory agrees with.
        self._stamp: str | None = None

    @property
    def builder(self) -> ReportBuilder:
        if self._builder is None:
            self._builder = ReportBuilder(self._detector)
        return self._builder

    async def ensure_ready(self, now: datetime) -> None:
        """Rebuild the grouper from storage when it has not been (the caller holds `lock`)."""
        if self._grouper is None:
            await self.reload(now)

    async def reload(self, now: datetime) -> None:
        """The grouper rebuilt from the stored stories: after a start, or a failed write."""
        grouper = Grouper(self._config, places=self.builder.gazetteer)
        # The stamp first: a write landing between the two reads makes the next write
        # of ours refused (and the grouper read again), never missed.
        stamp = await self._storage.stories.stamp()
        stories, reports = await self._storage.stories.for_grouper(now - self._config.keep_closed)
        grouper.restore(stories, reports)
        self._grouper = grouper
        self._stamp = stamp
        logger.debug("stories: %d restored with %d reports", len(stories), len(reports))

    def forget(self) -> None:
        """Drop the grouper in memory: the next write rebuilds it from storage."""
        self._grouper = None

    def next_stamp(self) -> StoriesStamp:
        """The stamp for a write of what the grouper decided (the caller holds `lock`)."""
        return StoriesStamp(self._stamp, uuid.uuid4().hex)

    def written(self, stamp: StoriesStamp) -> None:
        """The write stamped `stamp` is stored: the grouper agrees with it."""
        self._stamp = stamp.new

    def assign(
        self,
        feed: Feed,
        item: NormalizedEntry,
        detection: Detection,
        chat_ids: tuple[int, ...],
        now: datetime,
    ) -> StoryWrite:
        """The entry's event into its story (the caller holds `lock`, after `ensure_ready`)."""
        assert self._grouper is not None, "ensure_ready first"
        report = self.report(feed, item, detection, now)
        outcome = self._grouper.assign(report)
        if logger.isEnabledFor(logging.DEBUG):
            # Reading ``why`` words the decision's explanation: only when it is shown.
            logger.debug("story %s: %s", outcome.story.id, outcome.decision.why)
        return StoryWrite(
            report=report,
            story=outcome.story,
            action=outcome.decision.action,
            escalations=tuple(dict.fromkeys(e.kind for e in outcome.escalations)),
            chat_ids=chat_ids,
            hold_back=self.hold_back,
            place_names={
                place: {lang: self.builder.gazetteer.name(place, lang) for lang in languages()}
                for place in outcome.story.facts.places
                # A place the gazetteer does not know has no name to show.
                if place in self.builder.gazetteer.places
            },
        )

    def report(
        self, feed: Feed, item: NormalizedEntry, detection: Detection, now: datetime
    ) -> Report:
        published = item.published_at if item.published_at and item.published_at <= now else now
        return self.builder.build(
            report_id(feed.id, item.uid),
            title=item.title,
            summary=item.summary,
            published=moment(published),
            outlet=outlet_name(feed),
            link=item.link,
            feed=FeedKey(str(feed.id), item.uid),
            lang=detection.lang or None,
            detection=detection,
        )

    async def close_expired(self, now: datetime) -> tuple[Story, ...]:
        """Close the stories no report can join any more, and store them closed."""
        async with self.lock:
            if self._grouper is None:
                return ()
            closed = self._grouper.close_expired(now)
            if closed:
                stamp = self.next_stamp()
                try:
                    await self._storage.stories.save(closed, now, stamp)
                except BaseException:
                    # Stories another process wrote, or a failed write: read them again.
                    self.forget()
                    raise
                self.written(stamp)
            return closed
