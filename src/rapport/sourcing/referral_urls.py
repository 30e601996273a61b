"""Referring someone, and following one's referrals."""

from __future__ import annotations

from django.urls import path

from rapport.sourcing import referral_views as views

urlpatterns = [
    path("refer/", views.referral_list, name="referral_list"),
    path("refer/new/", views.referral_create, name="referral_create"),
]
