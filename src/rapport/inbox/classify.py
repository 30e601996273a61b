"""What an inbound message is, and what it belongs to.

In order:
1. **Ignored**: our own mail come back (its Message-ID is one of ours, or it
   is from one of our users to a candidate: a Sent-folder copy, a Bcc), and
   automatic mail answering our answer to an automatic reply (a loop).
2. **Bounce**: a delivery-status report, or mail that reads like one, or any
   mail to a message's return path that is not an automatic reply. The
   message is found by the return path's token, else by the Message-ID of the
   returned mail, else by any of our Message-IDs quoted in the text.
3. **Automatic reply**: Auto-Submitted and the other headers autoresponders
   write, or out-of-office wording in the subject (or in a short body).
4. **Reply**: through In-Reply-To or References to a message we sent, or our
   tokenised reply address, or the sender's address being a candidate's.

A threading or token match counts only when the sender is that message's
candidate (an address of theirs, or the one we wrote to). Anyone else
pointing at it (a forged In-Reply-To, a forward) is **unmatched**, so mail
never lands on a candidate its sender is not; the candidate it claimed is
kept as a suggestion for whoever may see them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q

from rapport.accounts.models import User
from rapport.inbox.models import InboundKind, InboundMessage
from rapport.inbox.parse import Parsed
from rapport.outreach import tokens
from rapport.outreach.models import Message, MessageKind
from rapport.people.models import Candidate, ContactKind, ContactPoint

AUTO_SUBJECT = re.compile(
    r"(?:automatic reply|auto[- ]?reply|autoreply|auto[- ]?response|out of (?:the )?office|"
    r"ooo\b|on vacation|on leave|away from (?:the )?office|vacation reply|"
    r"abwesenheitsnotiz|automatische antwort|abwesend|nicht im büro|"
    r"réponse automatique|absent du bureau|absence du bureau|"
    r"respuesta automática|fuera de la oficina|ausencia|"
    r"resposta automática|ausente|fora do escritório|"
    r"risposta automatica|fuori ufficio|assente|"
    r"automatisch antwoord|afwezig|niet op kantoor|"
    r"автоответ|автоматический ответ|вне офиса|в отпуске|"
    r"自動応答|自動返信|不在|休暇|自动回复|自動回覆|休假|不在办公室)",
    re.IGNORECASE,
)
REPLY_PREFIX = re.compile(
    r"^(?:re|aw|sv|vs|antw|odp|ynt|r|rif|fw|fwd|wg|tr)\s*(?:\[\d+\])?\s*[:：]", re.I
)
AUTO_BODY = re.compile(
    r"(?:i am|i'm|i will be) (?:currently )?(?:out of (?:the )?office|"
    r"away from (?:the |my )?(?:office|desk)|on (?:annual |parental |maternity |sick )?leave|"
    r"on vacation until|on holiday until|travelling with limited)"
    r"|limited access to (?:my )?e-?mail|will (?:respond|reply|get back to you) (?:when|upon) (?:i|my) return"
    r"|ich bin (?:bis|vom|derzeit|zurzeit)[^.]{0,60}(?:nicht im büro|abwesend|im urlaub)"
    r"|je suis (?:actuellement )?absente?|je serai de retour"
    r"|estoy (?:actualmente )?fuera de la oficina|estaré de vuelta"
    r"|estou (?:atualmente )?ausente|estarei de volta|fora do escritório"
    r"|sono (?:attualmente )?fuori ufficio|sarò di ritorno"
    r"|ik ben (?:momenteel )?afwezig|niet op kantoor"
    r"|я (?:сейчас )?в отпуске|не в офисе|нахожусь вне офиса"
    r"|不在にしております|休暇中|我正在休假|不在办公室",
    re.IGNORECASE,
)
BOUNCE_SENDER = re.compile(r"^(?:mailer-daemon|postmaster|mail-daemon|bounces?)\b", re.I)
BOUNCE_SUBJECT = re.compile(
    r"undeliver|delivery status notification|delivery (?:has )?failed|delivery failure|"
    r"mail delivery (?:failed|subsystem|system)|failure notice|returned mail|"
    r"returned to sender|mail system error|could not be delivered|nondeliverable|"
    r"non-remis|unzustellbar|no se puede entregar|não entregue|delayed mail|"
    r"delivery (?:status notification )?\(delay",
    re.I,
)
BOUNCE_TEXT = re.compile(
    r"this is the qmail-send program|message was created automatically by mail delivery|"
    r"could not be delivered to one or more recipients|delivery to the following recipient|"
    r"the following address(?:es)? had permanent fatal errors|i'm afraid i wasn't able to deliver|"
    r"your message (?:to .{1,80} )?couldn't be delivered|delivery has failed to these recipients|"
    r"message wasn't delivered|address not found",
    re.I,
)
# A Message-ID header quoted in a bounce's text (old servers return the
# headers as text), not one that merely sits in a References line.
RETURNED_ID = re.compile(r"(?im)^[ \t>]*message-id:[ \t]*(<[^<>\s@]+@[^<>\s@]+>)")
STATUS_CODE = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")
SMTP_CODE = re.compile(r"(?<!\d)([45])\d\d(?=[ -])")
SOFT_WORDS = re.compile(
    r"mailbox (?:is )?full|over quota|quota exceeded|insufficient (?:system )?storage|"
    r"temporar(?:y|ily)|try again later|will (?:keep|continue) trying|not yet been delivered|"
    r"delayed|deferred",
    re.I,
)
HARD_WORDS = re.compile(
    r"user unknown|unknown user|no such (?:user|mailbox|address)|does not exist|doesn't exist|"
    r"recipient not found|recipientnotfound|invalid recipient|address rejected|"
    r"mailbox unavailable|account (?:has been )?disabled|host or domain name not found|"
    r"couldn't find any host|no mx|domain not found|permanent(?:ly)? (?:error|fail)",
    re.I,
)


@dataclass
class Verdict:
    kind: str
    matched_by: str = ""
    message: Message | None = None
    candidate: Candidate | None = None
    suggested: Candidate | None = None
    hard: bool | None = None
    status: str = ""
    detail: str = ""
    delayed: bool = False


def classify(parsed: Parsed) -> Verdict:
    if verdict := _ignored(parsed):
        return verdict
    if _is_bounce(parsed):
        return _bounce(parsed)
    auto = is_auto_reply(parsed)
    if auto and (loop := _loop(parsed)):
        return loop
    verdict = _match(parsed)
    if auto:
        verdict.kind = InboundKind.AUTO_REPLY
        if verdict.candidate is None:  # an autoresponder's guess is no suggestion
            verdict.suggested = None
    return verdict


# --- ignored


def _ignored(parsed: Parsed) -> Verdict | None:
    if parsed.message_id and Message.objects.filter(message_id=parsed.message_id).exists():
        return Verdict(InboundKind.IGNORED, detail="A copy of a message Rapport sent.")
    threaded = _ours(parsed.in_reply_to + parsed.references)
    if _from_us(parsed.from_email) and not threaded and _candidates_by_address(parsed.recipients):
        return Verdict(InboundKind.IGNORED, detail="A copy of mail a teammate sent.")
    return None


def _from_us(address: str) -> bool:
    if not address:
        return False
    if address.endswith(f"@{settings.MAIL_DOMAIN}") and _our_local(address):
        return True
    return User.objects.filter(email__iexact=address).exists()


def _our_local(address: str) -> bool:
    local = address.split("@", 1)[0].split("+", 1)[0]
    ours = {_local(settings.BOUNCE_ADDRESS), _local(settings.REPLY_ADDRESS), "unsubscribe"}
    return local in ours - {""}


def _local(address: str) -> str:
    return str(address or "").split("@", 1)[0]


def _loop(parsed: Parsed) -> Verdict | None:
    """Automatic mail answering our answer to automatic mail: the message it
    answers answered an automatic reply, or an automatic reply is among its
    references, or its subject nests two automatic-reply prefixes."""
    answered = _ours(parsed.in_reply_to + parsed.references)
    earlier = [m.in_reply_to for m in answered if m.in_reply_to] + parsed.references
    nested = len(AUTO_SUBJECT.findall(parsed.subject)) >= 2
    if (
        nested
        or InboundMessage.objects.filter(
            header_message_id__in=earlier[:100], kind=InboundKind.AUTO_REPLY
        ).exists()
    ):
        return Verdict(InboundKind.IGNORED, detail="An automatic answer to our answer to one.")
    return None


# --- bounces


def _is_bounce(parsed: Parsed) -> bool:
    """A report; or mail that reads like one from a mail system (some, like
    Exim, mark their bounces Auto-Submitted too); or, unless it is an
    automatic reply, anything sent to a message's return path."""
    if parsed.report_type == "delivery-status" or parsed.statuses:
        return True
    local = parsed.from_email.split("@", 1)[0]
    looks = BOUNCE_SUBJECT.search(parsed.subject) or BOUNCE_TEXT.search(parsed.text[:5000])
    null_path = parsed.header("return-path").replace(" ", "") == "<>"
    if looks and (BOUNCE_SENDER.match(local) or not parsed.from_email or null_path):
        return True
    if is_auto_reply(parsed):
        return False
    return _token_message(parsed.recipients, _local(settings.BOUNCE_ADDRESS)) is not None


def _bounce(parsed: Parsed) -> Verdict:
    """The message a bounce is about: by the return path's signed token; or,
    without one, by the returned message's own Message-ID, and then only if
    the failed recipient is the address that message went to. Anyone can
    write a report, and our Message-IDs travel in others' References; a
    report that proves neither changes nothing."""
    message = _token_message(parsed.recipients, _local(settings.BOUNCE_ADDRESS))
    matched_by = "verp" if message else ""
    if message is None:
        returned = parsed.returned_ids + RETURNED_ID.findall(parsed.text[:50_000])
        found = [m for m in _ours(returned) if _failed_recipient(parsed, m.to_email)]
        if found:
            message, matched_by = found[0], "dsn"
    status, detail, hard, delayed = _bounce_facts(parsed)
    return Verdict(
        InboundKind.BOUNCE, matched_by=matched_by, message=message,
        candidate=_candidate_of(message), hard=hard, status=status, detail=detail,
        delayed=delayed,
    )  # fmt: skip


def _failed_recipient(parsed: Parsed, address: str) -> bool:
    address = address.lower()
    if parsed.statuses and any(s.recipient for s in parsed.statuses):
        return any(s.recipient == address for s in parsed.statuses)
    if parsed.returned_recipients:
        return address in parsed.returned_recipients
    return address in parsed.text[:50_000].lower()


def _bounce_facts(parsed: Parsed) -> tuple[str, str, bool, bool]:
    """(status code, detail, hard, delayed) from the report or the text."""
    failed = [s for s in parsed.statuses if s.action in {"failed", ""}] or parsed.statuses
    if failed:
        first = failed[0]
        delayed = first.action == "delayed"
        code = first.status or _status_in(first.diagnostic)
        hard = not delayed and (
            code.startswith("5") if code else bool(HARD_WORDS.search(first.diagnostic))
        )
        if hard and code in {"5.2.2", "5.2.0"} and SOFT_WORDS.search(first.diagnostic):
            hard = False  # a full mailbox, reported as permanent by some servers
        return code, first.diagnostic or f"{first.action} {code}".strip(), hard, delayed
    text = f"{parsed.subject}\n{parsed.text[:20_000]}"
    code = _status_in(text)
    delayed = bool(
        re.search(r"delayed|not yet been delivered|will (?:keep|continue) trying", text, re.I)
    )
    if code:
        hard = code.startswith("5") and not delayed
        if hard and code.startswith("5.2.2"):
            hard = False
    else:
        smtp = SMTP_CODE.search(text)
        hard = not delayed and (
            bool(HARD_WORDS.search(text)) or (smtp is not None and smtp.group(1) == "5")
        ) and not SOFT_WORDS.search(text)  # fmt: skip
    return code, _detail_line(text), hard, delayed


def _status_in(text: str) -> str:
    found = STATUS_CODE.search(text)
    return found.group(0) if found else ""


def _detail_line(text: str) -> str:
    for line in text.splitlines():
        if STATUS_CODE.search(line) or HARD_WORDS.search(line) or SOFT_WORDS.search(line):
            return line.strip()[:500]
    return ""


# --- automatic replies


def is_auto_reply(parsed: Parsed) -> bool:
    """Headers autoresponders write; or automatic-reply wording that the
    sender put in front of the subject (not in our own subject, which a
    person's "Re:" keeps); or, for mail that is not a "Re:", in a short body."""
    auto_submitted = parsed.header("auto-submitted").lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return True
    if parsed.header("x-autoreply") or parsed.header("x-autorespond"):
        return True
    if parsed.header("x-autogenerated").lower() == "reply":
        return True
    precedence = parsed.header("precedence").lower()
    listed = parsed.header("list-id") or parsed.header("list-unsubscribe")
    if precedence == "auto_reply" or (precedence in {"bulk", "junk"} and not listed):
        return True
    own = _own_subject_words(parsed)
    if REPLY_PREFIX.match(own):
        return False  # a person answering; what they wrote is read as a reply
    if AUTO_SUBJECT.search(own):
        return True
    return len(parsed.text) < 3000 and bool(AUTO_BODY.search(parsed.text[:800]))


def _own_subject_words(parsed: Parsed) -> str:
    """The subject without the subjects of our messages it answers."""
    subject = parsed.subject
    for message in _ours(parsed.in_reply_to + parsed.references):
        if message.subject:
            subject = subject.replace(message.subject, " ")
    return " ".join(subject.split())


# --- replies


def _match(parsed: Parsed) -> Verdict:
    sender = parsed.from_email
    threaded = _ours(parsed.in_reply_to + parsed.references)
    token = _token_message(parsed.recipients, _local(settings.REPLY_ADDRESS))
    verp = _token_message(parsed.recipients, _local(settings.BOUNCE_ADDRESS))
    tried = [(m, "thread") for m in threaded] + [(token, "reply_token"), (verp, "verp")]
    for message, how in tried:
        if message is None:
            continue
        if _sender_is_candidate(sender, message):
            return Verdict(InboundKind.REPLY, matched_by=how, message=message,
                           candidate=_candidate_of(message))  # fmt: skip
    claimed = threaded[0] if threaded else token or verp
    if claimed is not None and claimed.kind == MessageKind.STAFF:
        return Verdict(InboundKind.UNMATCHED, suggested=_candidate_of(claimed),
                       detail="A teammate answered mail about this candidate.")  # fmt: skip
    if claimed is not None:
        return Verdict(InboundKind.UNMATCHED, suggested=_candidate_of(claimed),
                       detail="It points at a message to someone else.")  # fmt: skip
    candidates = _candidates_by_address([sender]) if sender else []
    if len(candidates) == 1:
        return Verdict(InboundKind.REPLY, matched_by="sender", candidate=candidates[0])
    return Verdict(InboundKind.UNMATCHED)


def _ours(ids: list[str]) -> list[Message]:
    """Our messages among `ids`, in the order given (In-Reply-To first)."""
    ids = [i for i in dict.fromkeys(ids) if i.endswith(f"@{settings.MAIL_DOMAIN}>")][:50]
    if not ids:
        return []
    found = {m.message_id: m for m in Message.objects.filter(message_id__in=ids)}
    return [found[i] for i in ids if i in found]


def _token_message(addresses: list[str], local: str) -> Message | None:
    if not local:
        return None
    for address in addresses:
        name, _, domain = address.partition("@")
        base, plus, token = name.partition("+")
        if (
            plus
            and base.lower() == local.lower()
            and domain.lower() == settings.MAIL_DOMAIN.lower()
        ):
            pk = tokens.message_from_token(token)
            if pk is not None and (message := Message.objects.filter(pk=pk).first()):
                return message
    return None


def _sender_is_candidate(sender: str, message: Message) -> bool:
    if not sender or message.kind == MessageKind.STAFF:
        # Mail about a candidate to a teammate (an interview invitation):
        # whoever answers it, it is not the candidate speaking.
        return False
    if sender == message.to_email.lower():
        return True
    return ContactPoint.objects.filter(
        candidate_id=message.candidate_id, kind=ContactKind.EMAIL, value=sender
    ).exists()


def _candidate_of(message: Message | None) -> Candidate | None:
    if message is None:
        return None
    return Candidate.objects.filter(pk=message.candidate_id).first()


def _candidates_by_address(addresses: list[str]) -> list[Candidate]:
    wanted = [a.lower() for a in addresses if a][:50]
    if not wanted:
        return []
    return list(
        Candidate.objects.filter(
            Q(contacts__kind=ContactKind.EMAIL, contacts__value__in=wanted)
        ).distinct()[:2]
    )
