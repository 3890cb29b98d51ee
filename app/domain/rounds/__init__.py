"""Reporting rounds (opfølgningsrunder), one subject in several modules:

- ``lifecycle``  create (with the catalogue edition in force), open, close, reopen; lookups;
- ``followup``   the coordinator's overview: every municipality's state and counts;
- ``review``     approve a submitted report, or send it back with a comment;
- ``reminders``  reminders by hand and on the round's schedule, each step sent once;
- ``timeline``   every event of one report, shown to both sides;
- ``notices``    who is told by e-mail, through the outbox.

The lookups are re-exported here, as before the package existed.
"""

from app.domain.rounds.lifecycle import create_round, find_round, get_round

__all__ = ["create_round", "find_round", "get_round"]
