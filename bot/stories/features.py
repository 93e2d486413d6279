"""From a news entry to its grouping evidence (a Report).

The builder classifies the entry with the detector (or takes the detection the
pipeline already made), then reads every feature grouping compares: entities,
places, names, head counts, figures, words and what the headline says was done.
"""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

from bot.detect.detector import Detector
from bot.detect.model import Ruleset
from bot.detect.text import NUMBER, WORD, tokenize_words
from bot.domain.detection import Detection
from bot.domain.vocabulary import CATEGORIES, WEAK_MODALITIES, Category, is_category
from bot.stories.counts import CountReader
from bot.stories.dates import DateReader
from bot.stories.entities import Entities, NameIndex, entity_ids, unnamed_id
from bot.stories.gazetteer import Gazetteer, PlaceHit
from bot.stories.names import name_keys, stands_as_name
from bot.stories.phrases import PhraseSet, headline_end
from bot.stories.records import DetainedCount, FeedKey, Phase, Report, TimeSpan
from bot.stories.similarity import shingle_hashes
from bot.stories.textview import TextView, rule_word, view
from bot.stories.words import (
    ACTIONS,
    ANNOUNCED,
    ANNOUNCED_REACH,
    EN_STOPWORDS,
    LIFTED,
    MONTHS,
    ORIGIN_NOUNS,
    PROTEST,
    RU_FUNCTION_TAGS,
    TARGET_KINDS,
)

MIN_TERM = 3  # shorter words carry no topic ("в", "of", "US")
MIN_FIGURE = 10  # smaller figures are too common to tell events apart
MIN_PLACE = 4  # shorter place values are abbreviations the gazetteer spells its own way
_BASED = frozenset({"based", "bas", "owned", "own"})
# Whether a language is written in Latin letters (then a Latin word is no sign of a name).
_LATIN_SCRIPT = {"en": True, "ru": False}


class ReportBuilder:
    """Builds Reports with one detector's rules and the bundled gazetteer."""

    def __init__(self, detector: Detector, gazetteer: Gazetteer | None = None) -> None:
        self.detector = detector
        analysers = {lang: r.language.analyser for lang, r in detector.rulesets.items()}
        self.gazetteer = gazetteer if gazetteer is not None else Gazetteer.load(analysers)
        self.names = NameIndex.from_rulesets(detector.rulesets)
        self._counts = CountReader(analysers)
        self._actions = {
            lang: PhraseSet(a, ACTIONS[lang]) for lang, a in analysers.items() if lang in ACTIONS
        }
        self._context = {
            lang: PhraseSet(a, {**ACTIONS[lang], "protest": PROTEST[lang]})
            for lang, a in analysers.items()
            if lang in ACTIONS and lang in PROTEST
        }
        self._lifted = {
            lang: PhraseSet(a, {"lifted": LIFTED[lang]})
            for lang, a in analysers.items()
            if lang in LIFTED
        }
        self._dates = DateReader(analysers)
        self._origin_nouns = {
            lang: frozenset(k for w in ORIGIN_NOUNS[lang] for k in a.rule_keys(w))
            for lang, a in analysers.items()
            if lang in ORIGIN_NOUNS
        }
        self._months = {
            lang: frozenset(k for names in MONTHS[lang] for m in names for k in a.rule_keys(m))
            for lang, a in analysers.items()
            if lang in MONTHS
        }
        self._announced = {
            lang: PhraseSet(a, {"announced": ANNOUNCED[lang]})
            for lang, a in analysers.items()
            if lang in ANNOUNCED
        }
        self._kind_words = {
            lang: frozenset(
                w
                for phrases in TARGET_KINDS[lang].values()
                for p in phrases
                for w in tokenize_words(p)
            )
            for lang in analysers
            if lang in TARGET_KINDS
        }
        self._kinds = {
            lang: PhraseSet(a, TARGET_KINDS[lang])
            for lang, a in analysers.items()
            if lang in TARGET_KINDS
        }

    def build(
        self,
        report_id: str,
        *,
        title: str,
        summary: str,
        published: TimeSpan,
        outlet: str,
        link: str | None = None,
        feed: FeedKey | None = None,
        lang: str | None = None,
        detection: Detection | None = None,
    ) -> Report:
        if detection is None:
            detection = self.detector.classify(title, summary, lang)
        ruleset = self.detector.ruleset_for(f"{title}\n{summary}", detection.lang or lang)
        code = ruleset.language.code
        text = view(ruleset, title, summary)
        entities = entity_ids(
            detection, text, self.names, lambda value: stands_as_name(text, ruleset, value)
        )
        hits = [h for h in self.gazetteer.find(text) if not self._origin(text, h)]
        places = tuple(dict.fromkeys(h.place for h in hits)) + self._unnamed_place(
            detection, ruleset, hits, text
        )
        countries = [c for p in places if (c := self.gazetteer.country_of(p)) is not None]
        countries += [
            c for e in entities.actors if (c := self.gazetteer.entity_countries.get(e)) is not None
        ]
        covered = set(entities.tokens) | {i for h in hits for i in range(h.start, h.end)}
        headline = headline_end(text)
        found = self._actions[code].find(text, 0, headline) if code in self._actions else []
        actions = tuple(dict.fromkeys(label for _, label in found))
        lifted = code in self._lifted and bool(self._lifted[code].labels(text, 0, headline))
        # Announced when every action the headline names follows a cue closely.
        cues = self._announced[code].find(text, 0, headline) if code in self._announced else []
        announced = bool(found) and all(
            any(0 < a - c <= ANNOUNCED_REACH for c, _ in cues) for a, _ in found
        )
        lemmas = _content_lemmas(text)
        return Report(
            id=report_id,
            feed=feed,
            title=title,
            summary=summary,
            lang=code,
            published=published,
            outlet=outlet,
            link=link,
            categories=_categories(detection.categories),
            weak_categories=_categories(detection.weak_categories),
            modality=detection.modality,
            phase=_phase(detection, lifted, announced),
            actors=entities.actors,
            targets=entities.targets,
            main_targets=self._main_targets(text, ruleset, entities, headline, covered),
            target_kinds=self._kinds[code].labels(text, 0, headline) if code in self._kinds else (),
            actions=actions,
            context=self._context[code].labels(text) if code in self._context else (),
            places=places,
            countries=tuple(dict.fromkeys(countries)),
            names=name_keys(text, ruleset, covered),
            numbers=_figures(text, self._months.get(code, frozenset())),
            days=self._dates.read(text, published),
            detained=self._detained(text, detection),
            terms=tuple(sorted(Counter(lemmas).items())),
            shingles=shingle_hashes(lemmas),
        )

    def _main_targets(
        self,
        text: TextView,
        ruleset: Ruleset,
        entities: Entities,
        headline: int,
        covered: set[int],
    ) -> tuple[str, ...]:
        """The detector's target, then the named targets of the headline.

        Names the rules do not know count too when they look like a product's:
        a Latin word in Cyrillic text, a word with an inner capital ("FaceTime"),
        a capitalised word right after "service", "messenger", "app".
        """
        found = [entities.target] if entities.target else []
        found += [
            h.entity for h in self.names.find(text) if h.role == "object" and h.start < headline
        ]
        kinds = self._kind_words.get(text.lang, frozenset())
        services = self._origin_nouns.get(text.lang, frozenset())
        latin_is_a_name = not _LATIN_SCRIPT.get(text.lang, True)
        tokens = text.tokens
        for i in range(min(headline, len(tokens))):
            tok = tokens[i]
            if (
                i in covered
                or tok.kind != WORD
                or len(tok.text) < 3
                or rule_word(ruleset, tok.lower)
                or tok.lower in kinds
            ):
                continue
            latin = "a" <= tok.lower[0] <= "z"
            camel = any(a.islower() and b.isupper() for a, b in pairwise(tok.text))
            after_service = (
                i > 0
                and tok.text[0].isupper()
                and not text.sentence_start(i)
                and not text.keys(i - 1).isdisjoint(services)
            )
            if (latin and latin_is_a_name) or camel or after_service:
                found.append(unnamed_id(tok.text))
        return tuple(dict.fromkeys(found))

    def _unnamed_place(
        self, detection: Detection, ruleset: Ruleset, hits: list[PlaceHit], text: TextView
    ) -> tuple[str, ...]:
        """The detector's place when the gazetteer does not know it ("в Баймаке"), as
        an id spelled alike in both alphabets; it can support a join, not rule one out."""
        value = detection.fields.get("place", "")
        if len(value) < MIN_PLACE or not value[0].isupper():
            return ()
        own = view(ruleset, "", value)
        if self.gazetteer.find(own) or any(
            text.text[text.tokens[h.start].start : text.tokens[h.end - 1].end] in value
            for h in hits
        ):
            return ()
        return (unnamed_id(value),)

    def _origin(self, text: TextView, hit: PlaceHit) -> bool:
        """A place that says where the target comes from: "американский мессенджер",
        "Swiss-based", rather than where the event happened."""
        nouns = self._origin_nouns.get(text.lang)
        if not nouns:
            return False
        reach = 2 if hit.adjective else 1
        for j in range(hit.end, min(hit.end + reach, len(text.tokens))):
            keys = text.keys(j)
            if not keys.isdisjoint(nouns) and (hit.adjective or keys & _BASED):
                return True
        return False

    def _detained(self, text: TextView, detection: Detection) -> DetainedCount | None:
        mine = self._counts.read(text)
        theirs = detection.fields.get("detained", "")
        if theirs.isdigit() and (mine is None or int(theirs) > mine.count):
            return DetainedCount(int(theirs), theirs, False)
        return mine


def _categories(values: tuple[str, ...]) -> tuple[Category, ...]:
    return tuple(c for c in CATEGORIES if c in values and is_category(c))


def _phase(detection: Detection, lifted_headline: bool, announced_headline: bool) -> Phase:
    # What the headline says outweighs what the detector read in the body: a
    # lifting ("Sri Lanka lifts the ban it imposed after the attacks"), a threat
    # ("threatens to block Tor unless ...").
    if lifted_headline or (not detection.categories and detection.modality == "lifted"):
        return "lifted"
    if announced_headline:
        return "announced"
    if detection.categories:
        return "event"
    if detection.weak_categories and detection.modality in WEAK_MODALITIES:
        return "announced"
    return "none"


def _content_lemmas(text: TextView) -> list[str]:
    out: list[str] = []
    for i, tok in enumerate(text.tokens):
        if tok.kind != WORD or len(tok.lower) < MIN_TERM:
            continue
        info = text.infos[i]
        if info is None:
            continue
        if text.lang == "en":
            if tok.lower in EN_STOPWORDS or info.lemma in EN_STOPWORDS:
                continue
        elif info.grammemes & RU_FUNCTION_TAGS:
            continue
        out.append(info.lemma)
    return out


def _figures(text: TextView, months: frozenset[str]) -> tuple[int, ...]:
    """Figures written in digits, years and dates left out: "947 материалов", "1,074 detained"."""
    found: list[int] = []
    tokens = text.tokens
    for i, tok in enumerate(tokens):
        if tok.kind != NUMBER:
            continue
        value = int("".join(ch for ch in tok.text if ch.isdigit()) or 0)
        if value < MIN_FIGURE or 1900 <= value <= 2100:
            continue
        if value <= 31 and any(
            0 <= j < len(tokens) and not months.isdisjoint(text.keys(j)) for j in (i - 1, i + 1)
        ):
            continue  # "12 июня", "June 12"
        found.append(value)
    return tuple(sorted(set(found)))


__all__ = ["ReportBuilder", "Ruleset"]
