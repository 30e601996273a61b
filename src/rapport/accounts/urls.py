from __future__ import annotations

from django.urls import path

from rapport.accounts import views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("account/", views.account, name="account"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke_view, name="token_revoke"),
    path("settings/team/", views.users, name="users"),
    path("settings/team/<int:pk>/", views.user_update_view, name="user_update"),
]
