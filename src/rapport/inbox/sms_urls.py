"""Texts and logged calls and meetings: the candidate page's panels, and
the SMS provider's webhooks (public, signed; see inbox.sms_views)."""

from __future__ import annotations

from django.urls import path

from rapport.inbox import sms_views

urlpatterns = [
    path("candidates/<int:pk>/texts/", sms_views.candidate_texts, name="candidate_texts"),
    path(
        "candidates/<int:pk>/interactions/",
        sms_views.candidate_interactions,
        name="candidate_interactions",
    ),
    path("texts/length/", sms_views.sms_length, name="sms_length"),
    path("sms/inbound/", sms_views.sms_inbound, name="sms_inbound"),
    path("sms/status/", sms_views.sms_status, name="sms_status"),
]
