"""Split an item's body into sentences and paragraphs, as offsets into the text.

A sentence ends at a full stop, "!" or "?" before a capital or digit, except after a title, a
month or a single letter ("Mr. Smith", "Feb. 26", "John F. Kennedy"); after initials only when a
word that opens sentences follows ("U.S. Agriculture" goes on, "... in the U.S. But" ends);
after a company's name unless the name or a title goes on ("... Hutton Co. He thinks" ends,
"Morgan and Co. Inc." goes on); and always at a blank line. Splits of bodies are cached by
item: the same items answer many questions.
"""
from __future__ import annotations

import bisect
import re

from .text_cache import TextCache
from .words import INITIALS, UPPER

ABBREV_LOOKBACK = 24  # characters searched back for the word before a full stop ("U.S.", "Feb.")

_ABBREV = frozenset("mr mrs ms dr st jr sr bros no vs gen gov sen rep jan feb mar apr "
                    "jun jul aug sep sept oct nov dec "
                    "sgt lt col capt cpl maj adm prof rev hon pres atty supt det insp mt ft messrs "
                    "ste mme "  # "Ste. Therese", "Mme. Cresson"
                    "wm chas geo thos jas jos benj".split())  # first names as companies' names keep them
# A company's name ends its sentence more often than not ("... analyst at E.F. Hutton Co. He
# thinks"), unless the name or a title goes on ("Morgan and Co. Inc.", "Apple Inc. Chief Executive").
# "Bros." mostly sits inside a name ("Warner Bros. Pictures") and stays in _ABBREV. Only a letter
# opens the next sentence: "Acme Inc. 1987 sales" goes on.
_ENDS_NAMES = frozenset("inc co corp ltd".split())
_NAME_GOES_ON = re.compile(r"[\"'“‘]?(?:\(|\d|(?:Inc|Co|Corp|Ltd|LLC|LLP|LP|PLC|AG|SA|NV|GmbH|Chief|Chairman|"
                           r"President|Vice|Executive|Senior|Managing|CEO|CFO|COO|Spokesman|Spokeswoman)\b)", re.I)
# Initials seldom end one ("U.S. Agriculture Department"), unless a word that opens sentences but
# seldom follows a name comes next ("... exports to the U.S. The").
_OPENER = re.compile(r"[\"'“‘(]?(?:The|It|He|She|They|We|I|In|A|An|This|That|These|Those|But|Its|His|Her|"
                     r"Their|There|On|At|For|Last|Earlier|Meanwhile|Also|As|After|Before|When|While|If)(?![\w-])")
_LAST_WORD = re.compile(r"[\w.]+$")
_INITIALS = re.compile(INITIALS)  # "u.s", "a.h", "e.g"
_BOUNDARY = re.compile(rf"([.!?]+[\"'”’)\]]*)(\s+)(?=[\"'“‘(\[]?[{UPPER}0-9])|\n\s*\n")


def sentences(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into sentences; return (start, end) offsets with whitespace trimmed."""
    spans = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        if m.group(1):
            # Look back a few characters only: searching from the sentence start is quadratic.
            word = _LAST_WORD.search(text, max(start, m.start(1) - ABBREV_LOOKBACK), m.start(1))
            w = word.group(0).lower().rstrip(".") if word else ""
            if not _ends_sentence(w, text, m.end()) and m.group(2).count("\n") < 2:
                continue  # an abbreviation inside a sentence; a blank line ends it all the same
            end = m.end(1)
        else:
            end = m.start()
        spans.append((start, end))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        seg = text[s:e]
        lead = len(seg) - len(seg.lstrip())
        trail = len(seg) - len(seg.rstrip())
        if e - trail > s + lead:
            out.append((s + lead, e - trail))
    return out


def _ends_sentence(word: str, text: str, following: int) -> bool:
    """Whether a full stop after ``word`` (lower case, its own full stops but the last kept) ends
    a sentence, the next word starting at ``following`` in ``text``."""
    if word in _ENDS_NAMES:
        return not _NAME_GOES_ON.match(text, following)
    if _INITIALS.fullmatch(word):
        return bool(_OPENER.match(text, following))
    # "Mr. Smith", "Feb. 26", "John F. Kennedy": not a sentence end.
    return not (word in _ABBREV or (len(word) == 1 and word.isalpha()))


_PARAGRAPH = re.compile(r"\n\s*\n")


# A paragraph: (start, end) in the body, and its sentences' (start, end) in the body.
Paragraph = tuple[int, int, list[tuple[int, int]]]
# Items' bodies split into paragraphs and sentences: the same items answer many questions, and
# splitting a long article was a tenth of `ask`'s time on TIME (docs/performance.md).
_PARAGRAPHS = TextCache(1024)


def paragraphs(item_id: str, body: str) -> list[Paragraph]:
    """``body`` split into paragraphs and sentences, kept for the next question about the item."""
    return _PARAGRAPHS.get((item_id, hash(body)), lambda: split_paragraphs(body))


# A web page's link to another story, scraped with the text as a line of its own: "More:Daytime
# Emmys 2022: ...", "READ MORE: ...", "You may like:Light Up Louisville is back". It is another
# story's headline, not something this story says. A label of a few words runs into the headline
# without a space ("RIP:Children's author ..."); the usual labels may have one ("RELATED: ...").
_LINK_LINE = re.compile(r"(?:(?i:more|read more|related|related coverage|see also|also read|watch)\s*:\s"
                        r"|(?!(?i:note)\b)(?:[^\s:]+ ){0,4}[^\s:]*[^\W_]{2}['’\"”]?:[\"'“‘]?[A-Z])")
_SAYS = re.compile(r"\b(?:said|says|told|wrote|added|asked)\s*:", re.I)  # "Haughey said:" quotes a person


def link_line(paragraph: str) -> bool:
    """Whether ``paragraph`` is a link to another story (_LINK_LINE), which no answer quotes."""
    return "\n" not in paragraph and bool(_LINK_LINE.match(paragraph)) and not _SAYS.search(paragraph, 0, 60)


# A photo's credit, scraped with its caption: names joined by slashes, the last a picture agency
# ("Brandon Bell/Getty Images", "Noah Berger/AP Firefighters take a break ...", "Chang W. Lee/Pool/
# The New York Times/DPA/AP", "Jim Watson/AFP via Getty Images"), or a labelled one ("(AP
# Photo/Rich Pedroncelli)", "(Photo by ...)", "Photographer: ..."). A caption describes a picture,
# often an old one ("... after winning the Australian Open in 2017"), not what the story reports.
# What follows an agency starts a caption, with a capital: "The NORC/AP poll found", "Ipsos/Reuters
# Poll Shows", "NASA/ESA/CSA/STScI Webb's view" and the dateline "London/Istanbul (CNN Business)"
# are no credits. Agencies whose names news also writes in passing (EPA, NASA) are not listed.
_PHOTO_AGENCY = (r"(?:Getty Images|AP|Associated Press|AFP|Reuters|Redux|EPA-EFE|Shutterstock|NurPhoto"
                 r"|Anadolu Agency|Sipa USA|ZUMA Press|ZUMA Wire|SOPA Images|LightRocket|Alamy|Corbis)")
_VIA_GETTY = r"\svia\sGetty Images"
_CREDIT = re.compile(
    r"\(?(?:AP Photo/|Photo by |Photographer: )"
    r"|(?!(?:The|A|An)\s)(?:[A-Z][\w.'’-]*\s){0,5}[A-Z][\w.'’-]*(?:/[A-Z][\w.&'’-]*(?:\s[\w.&'’-]+){0,3})*"
    r"/(?:" + _PHOTO_AGENCY + f"(?:{_VIA_GETTY})?|[A-Z][\\w.&'’-]*(?:\\s[A-Z][\\w.&'’-]*)?{_VIA_GETTY})"
    r"(?=\s*$|\s+(?!Poll|VoteCast|Survey)[A-Z\"“‘'(])")


def photo_credit(text: str, start: int = 0) -> bool:
    """Whether ``text`` at ``start`` opens with a photo's credit (_CREDIT), which no answer quotes."""
    return bool(_CREDIT.match(text, start))


def split_paragraphs(body: str) -> list[Paragraph]:
    """Split ``body`` at blank lines, then each paragraph into sentences (a blank line always
    ends a sentence). A link to another story (link_line) is a paragraph without sentences; a
    photo's caption and credit are left out (_without_captions)."""
    bounds, start = [], 0
    for m in _PARAGRAPH.finditer(body):
        bounds.append((start, m.start()))
        start = m.end()
    bounds.append((start, len(body)))
    return [(b, e, [] if link_line(body[b:e]) else
             _without_captions(body, [(b + s, b + t) for s, t in sentences(body[b:e])]))
            for b, e in bounds]


def _without_captions(body: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A paragraph's sentences less each that opens with a photo's credit and the one before it:
    a caption ends with its credit ("Grocery items are still going up. Brandon Bell/Getty
    Images"), and in a gallery the next picture's caption runs on after it."""
    credits = [k for k, (s, _) in enumerate(spans) if photo_credit(body, s)]
    if not credits:
        return spans
    captions = set(credits) | {k - 1 for k in credits}
    return [span for k, span in enumerate(spans) if k not in captions]


def sentences_near(paragraphs: list[Paragraph], offsets: list[int]) -> list[tuple[int, int]]:
    """The sentences of the first paragraph, of those holding one of ``offsets``, and of the
    paragraph after each of them, in order."""
    keep = {0}
    firsts = [b for b, _, _ in paragraphs]
    for at in offsets:
        k = bisect.bisect_right(firsts, at) - 1
        keep.update((k, k + 1))
    return [span for k in sorted(keep) if k < len(paragraphs) for span in paragraphs[k][2]]
