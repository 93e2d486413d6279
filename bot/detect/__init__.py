"""Event detection: does a news entry report censorship or a protest arrest?

Rules are data (``bot/detect/rules/*.toml``, one file per language); the
engine matches them on lemmas inside sentences and explains every decision.
See docs/detection.md.
"""

from bot.detect.detector import Detector
from bot.detect.filters import KeywordFilter
from bot.detect.model import RulesError
from bot.domain.detection import Clause, Detection, Span

__all__ = ["Clause", "Detection", "Detector", "KeywordFilter", "RulesError", "Span"]
