"""The team's outreach pages, read through the test client: what they show,
what they change, and who may open them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from rapport.accounts.models import User
from rapport.core.models import Activity, ActivityKind
from rapport.outreach import services
from rapport.outreach.models import (
    Campaign,
    CampaignStatus,
    Enrollment,
    Message,
    MessageStatus,
    Sequence,
    SequenceStep,
    Template,
)
from rapport.people.models import Candidate
from rapport.people.services import pool_add, pool_create
from tests.conftest import login

pytestmark = pytest.mark.django_db

BODY = "Hi {{ candidate.first_name }}, you know {{ candidate.top_skill }}."


@pytest.fixture
def template(owner: User) -> Template:
    return services.template_create(
        actor=owner, name="Hello", subject="Hi {{ candidate.first_name }}", body=BODY
    )


@pytest.fixture
def campaign(owner: User, template: Template, candidate: Candidate) -> Campaign:
    pool = pool_create(actor=owner, name="Warm")
    pool_add(actor=owner, pool=pool, candidates=[candidate])
    return services.campaign_create(actor=owner, name="Autumn hello", template=template, pool=pool)


@pytest.fixture
def sequence(owner: User, template: Template) -> Sequence:
    seq = Sequence.objects.create(name="Warm-up", sender=owner, created_by=owner)
    SequenceStep.objects.create(sequence=seq, position=1, template=template, wait_days=0)
    return seq


def _pages(
    template: Template, campaign: Campaign, sequence: Sequence, candidate: Candidate
) -> list[str]:
    return [
        reverse("template_list"),
        reverse("template_create"),
        reverse("template_edit", args=[template.pk]),
        reverse("campaign_list"),
        reverse("campaign_create"),
        reverse("campaign_detail", args=[campaign.pk]),
        reverse("sequence_list"),
        reverse("sequence_detail", args=[sequence.pk]),
        reverse("mailbox_list"),
        reverse("candidate_email", args=[candidate.pk]),
    ]


def test_the_team_opens_every_page_and_others_get_a_404(
    client: Client, cast: dict[str, User], template: Template, campaign: Campaign,
    sequence: Sequence, candidate: Candidate,
) -> None:  # fmt: skip
    pages = _pages(template, campaign, sequence, candidate)
    for name, user in cast.items():
        login(client, user)
        for url in pages:
            response = client.get(url)
            if name in ("manager", "outsider"):
                assert response.status_code == 404, (name, url)
            else:
                assert response.status_code == 200, (name, url)
                assert b"Outreach" in response.content or b"Email " in response.content


def test_writing_a_template_saves_it_and_a_mistake_is_shown_on_the_form(
    client: Client, owner: User
) -> None:
    login(client, owner)
    response = client.post(
        reverse("template_create"),
        {
            "name": "Follow-up",
            "kind": "nurture",
            "subject": "Hi {{ candidate.frist_name }}",
            "body": "x",
        },
    )
    assert (
        "Unknown field candidate.frist_name. Did you mean candidate.first_name?"
        in response.content.decode()
    )
    assert not Template.objects.exists()
    response = client.post(
        reverse("template_create"),
        {
            "name": "Follow-up",
            "kind": "nurture",
            "subject": "Hi {{ candidate.first_name }}",
            "body": "Body",
        },
        follow=True,
    )
    assert Template.objects.get().subject == "Hi {{ candidate.first_name }}"
    assert "Template “Follow-up” saved." in response.content.decode()


def test_the_preview_shows_the_chosen_candidates_message(
    client: Client, owner: User, candidate: Candidate
) -> None:
    login(client, owner)
    response = client.post(
        reverse("template_preview"),
        {
            "candidate": candidate.pk,
            "subject": "Hello {{ candidate.first_name }}",
            "body": "You live in {{ candidate.city }}.",
        },
    )
    page = response.content.decode()
    assert "Hello Maria" in page and "You live in São Paulo." in page
    broken = client.post(
        reverse("template_preview"),
        {"candidate": candidate.pk, "subject": "x", "body": "{{ candidate.__class__ }}"},
    )
    assert "cannot reach __class__" in broken.content.decode()


def test_the_campaign_page_shows_who_will_receive_it_then_launches(
    client: Client,
    owner: User,
    campaign: Campaign,
    make_candidate: Callable[..., Candidate],
    always_open: Any,
) -> None:
    nobody = make_candidate(first_name="Nadia", emails=[])
    pool_add(actor=owner, pool=campaign.pool, candidates=[nobody])  # type: ignore[arg-type]
    login(client, owner)
    page = client.get(reverse("campaign_detail", args=[campaign.pk])).content.decode()
    assert "will receive it" in page and "no email address" in page
    assert "Send to 1 person" in page
    response = client.post(
        reverse("campaign_launch", args=[campaign.pk]), {"when": "now"}, follow=True
    )
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.QUEUEING
    assert "Sending." in response.content.decode()


def test_a_one_to_one_email_goes_into_the_outbox(
    client: Client, owner: User, candidate: Candidate
) -> None:
    login(client, owner)
    response = client.post(
        reverse("candidate_email", args=[candidate.pk]),
        {"subject": "Coffee, {{ candidate.first_name }}?", "body": "Are you free on Friday?"},
        follow=True,
    )
    message = Message.objects.get()
    assert message.subject == "Coffee, Maria?" and message.status == MessageStatus.QUEUED
    assert message.author == owner and message.kind == "transactional"
    assert "Sent to Maria Souza" in response.content.decode()


def test_enrolling_from_the_candidate_page_and_stopping(
    client: Client, owner: User, candidate: Candidate, sequence: Sequence
) -> None:
    login(client, owner)
    client.post(reverse("sequence_enroll", args=[sequence.pk]), {"candidate": candidate.pk})
    enrollment = Enrollment.objects.get()
    panel = client.get(reverse("candidate_outreach", args=[candidate.pk])).content.decode()
    assert "Warm-up" in panel and "Active" in panel
    client.post(reverse("enrollment_stop", args=[enrollment.pk]))
    enrollment.refresh_from_db()
    assert enrollment.status == "stopped" and enrollment.stop_reason == "stopped by hand"
    assert Activity.objects.filter(kind=ActivityKind.SEQUENCE_STOPPED, candidate=candidate).exists()


def test_enrolling_everyone_who_matches_a_search(
    client: Client, owner: User, sequence: Sequence, make_candidate: Callable[..., Candidate]
) -> None:
    rust = [make_candidate(skills=["Rust"]) for _ in range(3)]
    make_candidate(skills=["Go"])
    login(client, owner)
    response = client.post(
        reverse("sequence_enroll", args=[sequence.pk]), {"query": "skill:rust"}, follow=True
    )
    assert set(Enrollment.objects.values_list("candidate_id", flat=True)) == {c.pk for c in rust}
    assert "Enrolled 3 in Warm-up." in response.content.decode()


def test_sending_rules_are_for_admins(client: Client, owner: User, admin: User) -> None:
    login(client, owner)
    assert client.get(reverse("outreach_settings")).status_code == 404
    login(client, admin)
    response = client.post(
        reverse("outreach_settings"),
        {"window_days": ["1", "2", "3"], "window_start": "09:00", "window_end": "11:30", "fallback_timezone": "Europe/Berlin",
         "cap_messages": "3", "cap_days": "14", "retry_days": "2", "track_opens": "on"},
        follow=True,
    )  # fmt: skip
    assert "Sending rules saved." in response.content.decode()
    from rapport.outreach.policy import organisation_policy

    saved = organisation_policy()
    assert saved.window == {"days": [1, 2, 3], "start": "09:00", "end": "11:30"}
    assert (saved.cap_messages, saved.cap_days, saved.fallback_timezone) == (3, 14, "Europe/Berlin")


def test_the_captured_mailbox_shows_the_mail_without_counting_as_an_open(
    client: Client, owner: User, candidate: Candidate, settings: Any
) -> None:
    from rapport.outreach import delivery
    from rapport.outreach.models import CapturedMail

    settings.EMAIL_URL = ""
    services.email_send(
        actor=owner,
        candidate=candidate,
        subject="Hello",
        body="See [our roles](https://example.com/jobs?a=1&b=2).",
    )
    via = delivery.transport()
    assert delivery.deliver_once(owner="w/0", via=[via]).sent == 1
    captured = CapturedMail.objects.get()
    import email
    import email.policy

    sent = email.message_from_bytes(bytes(captured.raw), policy=email.policy.default)
    sent_html = sent.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    assert "open.gif" in sent_html and "/link/?to=" in sent_html  # what the candidate gets
    login(client, owner)
    page = client.get(reverse("mailbox_detail", args=[captured.pk])).content.decode()
    assert "open.gif" not in page and "/link/?to=" not in page
    assert (
        "https://example.com/jobs?a=1&amp;amp;b=2" in page
    )  # escaped once for HTML, again for srcdoc
    assert (
        "&lt;a href=&quot;https://example.com/jobs?a=1&amp;amp;b=2&quot;&gt;our roles&lt;/a&gt;"
        in page
    )


def test_after_launch_the_campaign_page_shows_progress_figures_and_each_recipient(
    client: Client, owner: User, campaign: Campaign, settings: Any, always_open: Any,
    make_candidate: Callable[..., Candidate],
) -> None:  # fmt: skip
    from rapport.outreach import delivery
    from rapport.outreach.models import Preference

    quitter = make_candidate(first_name="Quinn")
    Preference.objects.create(candidate=quitter, unsubscribed_at=campaign.created_at)
    pool_add(actor=owner, pool=campaign.pool, candidates=[quitter])  # type: ignore[arg-type]
    settings.EMAIL_URL = ""
    services.campaign_launch(actor=owner, campaign=campaign)
    campaign.refresh_from_db()
    services.campaign_queue_messages(campaign)
    via = delivery.transport()
    assert delivery.deliver_once(owner="w/0", via=[via]).sent == 1
    login(client, owner)
    page = client.get(reverse("campaign_detail", args=[campaign.pk])).content.decode()
    assert "1 sent" in page and "of 2" in page
    assert "Maria Souza" in page and "Quinn" in page
    assert "Unsubscribed" in page  # Quinn's message, held back, with the reason
    held = client.get(
        reverse("campaign_detail", args=[campaign.pk]), {"status": MessageStatus.SUPPRESSED}
    ).content.decode()
    assert "Quinn" in held and "Maria Souza" not in held


def test_the_profile_panel_says_what_the_candidate_chose(
    client: Client, owner: User, candidate: Candidate
) -> None:
    import datetime as dt

    from rapport.outreach.models import Preference, Topic

    events = Topic.objects.create(name="Events")
    preference = Preference.objects.create(
        candidate=candidate, frequency="monthly", paused_until=dt.date(2027, 1, 31),
        roles="Staff engineer", locations="Lisbon or remote",
    )  # fmt: skip
    preference.topics_declined.add(events)
    login(client, owner)
    panel = client.get(reverse("candidate_outreach", args=[candidate.pk])).content.decode()
    assert "Hears from us at most once a month, paused until 31 Jan 2027." in panel
    assert "Not interested in: Events." in panel
    assert "Roles they would like: Staff engineer" in panel and "Where: Lisbon or remote" in panel
