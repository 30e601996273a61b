"""A published default privacy notice, so that a fresh installation's
talent-community sign-up page works from the start. Admins replace it with
their own words by publishing a new version (Settings → Privacy notice);
this one stays, since consents may point at it. An installation that
already has a notice gets nothing."""

from django.db import migrations
from django.utils import timezone

DEFAULT_TEXT = """\
When you join our talent community, we keep a few details about you so that we can \
tell you about roles, events and news that suit you. This notice says what we keep, \
why, for how long, and what you can do about it.

## What we keep
- Your name and email address, and what you choose to tell us: the roles, teams and \
places you are interested in, and your CV if you send one.
- When you agreed to this notice, and which version of it you read.
- Our messages to and from you, our notes about our conversations, and whether you \
open or click our emails.

## Why we keep it
To get in touch about roles, events and news that may interest you, and to consider \
you for roles that fit. Only our recruiting team and the people who help us hire see \
your details. We don't sell them, and we don't share them with anyone else.

## How long we keep it
For as long as you are in our talent community. If you leave, we stop contacting you \
straight away and delete or anonymise what we no longer need.

## Your choices
- Every email from us has a link to choose what you hear about, to take a break, or to \
stop all email.
- You can ask us for a copy of the details we hold about you, ask us to correct them, \
or ask us to delete them: reply to any email from us, and we'll do it.
"""


def seed(apps, schema_editor):
    PrivacyNotice = apps.get_model("privacy", "PrivacyNotice")
    if not PrivacyNotice.objects.exists():
        PrivacyNotice.objects.create(version="1", text=DEFAULT_TEXT, published_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
