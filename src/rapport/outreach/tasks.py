"""Outreach's tasks. Idempotent, as every task must be (see core.worker):
a second run finds the work done."""

from __future__ import annotations

from django_tasks import task

from rapport.outreach import delivery, sequences, services
from rapport.outreach.models import Campaign, CampaignStatus


@task()
def campaign_queue(*, campaign_id: int) -> int:
    """Write the campaign's messages, carrying on where a killed run stopped."""
    campaign = (
        Campaign.objects.select_related("template", "segment", "sender", "created_by")
        .filter(pk=campaign_id, status=CampaignStatus.QUEUEING)
        .first()
    )
    if campaign is None:  # cancelled, paused or already written
        return 0
    return services.campaign_queue_messages(campaign)


@task()
def outreach_tick() -> dict[str, int]:
    """The outreach clock, every minute: start scheduled campaigns, write the
    sequence steps that are due, enrol new segment members, record the sends
    of workers that died before they could, close finished campaigns."""
    return {
        "campaigns_started": services.campaign_start_due(),
        "steps_written": sequences.sequences_advance(),
        "enrolled": sequences.sequences_auto_enroll(),
        "sends_recorded": delivery.sends_record_stale(),
        "campaigns_done": services.campaigns_finish(),
    }
