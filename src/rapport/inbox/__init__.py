"""Inbox: everything that comes back.

Owns the mailbox reader (IMAP, with the pipe and HTTP ways in), the parsing
and classification of inbound mail (replies, bounces, auto-replies, mail
nobody can place), the conversations of the team inbox, SMS both ways, and
logged calls and meetings.

May import `core`, `accounts`, `people` and `outreach` (a reply answers an
outbox Message; a bounce suppresses through outreach's services). Nothing
below it imports from here.
"""
