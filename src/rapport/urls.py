from __future__ import annotations

from django.urls import include, path

from rapport.api.urls import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("rapport.accounts.urls")),
    path("", include("rapport.search.urls")),
    path("", include("rapport.engagement.urls")),
    path("", include("rapport.outreach.urls")),
    path("", include("rapport.inbox.urls")),
    path("", include("rapport.jobs.urls")),
    path("", include("rapport.jobs.automation_urls")),
    path("", include("rapport.jobs.interview_urls")),
    path("", include("rapport.jobs.rediscovery_urls")),
    path("", include("rapport.sourcing.careers_urls")),
    path("", include("rapport.people.urls")),
    path("", include("rapport.sourcing.resume_urls")),
    path("", include("rapport.outreach.public_urls")),
    path("", include("rapport.privacy.urls")),
    path("", include("rapport.sourcing.community_urls")),
    path("", include("rapport.sourcing.referral_urls")),
    path("", include("rapport.sourcing.capture_urls")),
    path("", include("rapport.inbox.sms_urls")),
    path("", include("rapport.sourcing.review_urls")),
    path("", include("rapport.sourcing.urls")),
    path("", include("rapport.web.urls")),
]
