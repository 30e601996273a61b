from __future__ import annotations

from django.urls import path

from rapport.outreach import views

urlpatterns = [
    path("outreach/templates/", views.template_list, name="template_list"),
    path("outreach/templates/new/", views.template_create, name="template_create"),
    path("outreach/templates/preview/", views.template_preview, name="template_preview"),
    path("outreach/templates/<int:pk>/", views.template_edit, name="template_edit"),
    path("outreach/templates/<int:pk>/archive/", views.template_archive, name="template_archive"),
    path("outreach/campaigns/", views.campaign_list, name="campaign_list"),
    path("outreach/campaigns/new/", views.campaign_create, name="campaign_create"),
    path("outreach/campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("outreach/campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path(
        "outreach/campaigns/<int:pk>/progress/", views.campaign_progress, name="campaign_progress"
    ),
    path("outreach/campaigns/<int:pk>/launch/", views.campaign_launch, name="campaign_launch"),
    path("outreach/campaigns/<int:pk>/pause/", views.campaign_pause, name="campaign_pause"),
    path("outreach/campaigns/<int:pk>/resume/", views.campaign_resume, name="campaign_resume"),
    path("outreach/campaigns/<int:pk>/cancel/", views.campaign_cancel, name="campaign_cancel"),
    path("outreach/sequences/", views.sequence_list, name="sequence_list"),
    path("outreach/sequences/new/", views.sequence_create, name="sequence_create"),
    path("outreach/sequences/<int:pk>/", views.sequence_detail, name="sequence_detail"),
    path("outreach/sequences/<int:pk>/edit/", views.sequence_edit, name="sequence_edit"),
    path("outreach/sequences/<int:pk>/steps/", views.step_add, name="step_add"),
    path(
        "outreach/sequences/<int:pk>/steps/<int:step>/remove/",
        views.step_remove,
        name="step_remove",
    ),
    path("outreach/sequences/<int:pk>/enroll/", views.sequence_enroll, name="sequence_enroll"),
    path("outreach/enrollments/<int:pk>/stop/", views.enrollment_stop, name="enrollment_stop"),
    path("outreach/mailbox/", views.mailbox_list, name="mailbox_list"),
    path("outreach/mailbox/<int:pk>/", views.mailbox_detail, name="mailbox_detail"),
    path("outreach/settings/", views.outreach_settings, name="outreach_settings"),
    path("outreach/settings/topics/", views.topic_add, name="topic_add"),
    path("outreach/settings/topics/<int:pk>/remove/", views.topic_remove, name="topic_remove"),
    path("outreach/settings/suppression/", views.suppression_change, name="suppression_change"),
    path("candidates/<int:pk>/outreach/", views.candidate_outreach, name="candidate_outreach"),
    path("candidates/<int:pk>/email/", views.candidate_email, name="candidate_email"),
]
