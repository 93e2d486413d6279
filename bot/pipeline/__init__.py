"""One poll cycle: due feeds -> fetch -> parse -> new entries -> detect -> events -> outbox."""

from bot.pipeline.cycle import Pipeline
from bot.pipeline.reports import CycleReport, FeedPreview, FeedReport

__all__ = ["CycleReport", "FeedPreview", "FeedReport", "Pipeline"]
