"""The new words of a reply: quoted history, reply headers and the mobile
footer cut away; the whole text is kept beside it.

Mail clients introduce the history they quote in a few dozen ways ("On …
wrote:", "Am … schrieb", an Outlook header block, a line of underscores).
Everything from the first such line on is history. Lines quoted with ">"
before it are an inline reply's context and are dropped one by one, so the
answers written between them stay.
"""

from __future__ import annotations

import re

from rapport.inbox.html import QUOTE_MARKER

# A line that begins the history, in the languages our clients write.
INTRO = re.compile(
    r"^\s*(?:"
    r"on\b.{0,200}\bwrote:?"
    r"|am\b.{0,200}\bschrieb.{0,80}:?"
    r"|le\b.{0,200}\ba [ée]crit\s*:?"
    r"|el\b.{0,200}\bescribi[óo]:?"
    r"|em\b.{0,200}\bescreveu:?"
    r"|op\b.{0,200}\bschreef.{0,80}:?"
    r"|il\b.{0,200}\bha scritto:?"
    r"|w dniu\b.{0,200}\bnapisa[łl].{0,10}:?"
    r"|.{0,200}\bпишет:?"
    r"|.{0,200}(?:写道|寫道|のメッセージ|wrote)\s*[:：]?"
    r")\s*$",
    re.IGNORECASE,
)
SEPARATOR = re.compile(
    r"^\s*(?:-{2,}\s*(?:original message|ursprüngliche nachricht|message d'origine|"
    r"mensaje original|mensagem original|messaggio originale|oorspronkelijk bericht|"
    r"исходное сообщение|原始邮件|元のメッセージ)\s*-{2,}|_{10,}|-{10,})\s*$",
    re.IGNORECASE,
)
HEADER_START = re.compile(
    r"^\s*\*?(?:from|von|de|da|van|от|发件人|差出人)\s*\*?\s*[:：]", re.IGNORECASE
)
HEADER_NEXT = re.compile(
    r"^\s*\*?(?:sent|date|to|subject|gesendet|datum|an|betreff|envoy[ée]|[àa]|objet|"
    r"enviado|fecha|para|asunto|assunto|inviato|oggetto|verzonden|onderwerp|"
    r"отправлено|кому|тема|发送时间|收件人|主题|送信日時|宛先|件名)\s*\*?\s*[:：]",
    re.IGNORECASE,
)
MOBILE_FOOTER = re.compile(
    r"^\s*(?:sent from my \w+|sent from (?:outlook|mail) for \w+|get outlook for \w+|"
    r"von meinem \w+ gesendet|envoy[ée] de mon \w+|enviado desde mi \w+|"
    r"enviado do meu \w+|inviato da(?:l mio)? \w+)",
    re.IGNORECASE,
)
SIGNATURE = "-- "


def strip(text: str) -> str:
    """The new words of `text`, or the whole text when nothing is left."""
    lines = text.replace("\r\n", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        if _history_starts(lines, index):
            if INTRO.match(line) and _interleaved(lines[index + 1 :]):
                continue  # an inline reply: the answers between the quotes stay
            break
        if line.rstrip("\n") == SIGNATURE or line.strip() == "--":
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    new = "\n".join(kept).strip()
    return new or text.strip()


def _interleaved(rest: list[str]) -> bool:
    """Whether own words come between quoted lines after an attribution."""
    seen_quote = False
    words_after_quote = False
    for line in rest:
        if line.rstrip() == SIGNATURE.rstrip() and line.startswith("--"):
            break
        if line.lstrip().startswith(">"):
            if words_after_quote:
                return True
            seen_quote = True
        elif line.strip() and seen_quote:
            words_after_quote = True
    return False


def _history_starts(lines: list[str], index: int) -> bool:
    line = lines[index]
    if line.startswith(QUOTE_MARKER) or SEPARATOR.match(line) or MOBILE_FOOTER.match(line):
        return True
    if INTRO.match(line):
        return True
    # "On Tue, 3 Mar 2026 at 10:12, Riley Park <riley@…>" then "wrote:" on the next line
    opens = re.match(r"^\s*(?:on|am|le|el|em|op|il)\b", line, re.IGNORECASE)
    if opens and index + 1 < len(lines) and INTRO.match(f"{line} {lines[index + 1].strip()}"):
        return True
    if HEADER_START.match(line):
        following = [n for n in lines[index + 1 : index + 5] if n.strip()]
        return sum(1 for n in following if HEADER_NEXT.match(n)) >= 2
    return False
