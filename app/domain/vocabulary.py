"""The product's words: every state, kind and role, with the Danish label a user reads.

The tables store the values (``app.models.types.EnumText`` hands them back as these enums), the
API's schemas list them in OpenAPI, and templates, PDFs and spreadsheets print the labels. A new
state is added here once, and nowhere else.
"""

import enum


class Colour(enum.StrEnum):
    """The traffic light: how far a recommendation has come (fremdrift)."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @property
    def label(self) -> str:
        return _COLOUR_LABELS[self]

    @property
    def shape(self) -> str:
        # Never colour alone: each colour has its own shape as well as its name.
        return _COLOUR_SHAPES[self]

    @property
    def needs_remark(self) -> bool:
        return self is not Colour.GREEN

    @property
    def rank(self) -> int:
        """Order for year-over-year comparison: rød < gul < grøn."""
        return _COLOUR_RANKS[self]


_COLOUR_LABELS = {Colour.GREEN: "Grøn", Colour.YELLOW: "Gul", Colour.RED: "Rød"}
# Yellow is a diamond, not a triangle: ▲ and ▼ are the year-over-year markers (``Change``).
_COLOUR_SHAPES = {Colour.GREEN: "●", Colour.YELLOW: "◆", Colour.RED: "■"}
_COLOUR_RANKS = {Colour.RED: 0, Colour.YELLOW: 1, Colour.GREEN: 2}


class Kind(enum.StrEnum):
    """How binding a recommendation is."""

    SKAL = "skal"  # every municipality that signs up must follow it
    BOER = "bør"
    KAN = "kan"  # voluntary: may be deliberately not chosen (fravalgt)

    @property
    def label(self) -> str:
        return self.value.upper()


class Role(enum.StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"  # koordinationsgruppen: their KKR
    EDITOR = "editor"  # jobcentret: their municipality only
    READER = "reader"  # KKR, RAR members, the public: submitted reports

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    Role.ADMIN: "Administrator",
    Role.COORDINATOR: "KKR-koordinator",
    Role.EDITOR: "Redaktør i kommunen",
    Role.READER: "Læser",
}


class RoundState(enum.StrEnum):
    """Where a KKR's yearly round stands (opfølgningsrunde)."""

    PLANNED = "planned"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        return _ROUND_STATE_LABELS[self]


_ROUND_STATE_LABELS = {
    RoundState.PLANNED: "Planlagt",
    RoundState.OPEN: "Åben",
    RoundState.CLOSED: "Lukket",
    RoundState.PUBLISHED: "Offentliggjort",
}


class ReportState(enum.StrEnum):
    """Where one municipality's report stands. ``NOT_STARTED`` is never stored: it is the state
    of a report that has no row yet."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    SENT_BACK = "sent_back"  # the coordinator asked for changes: open to the municipality again
    APPROVED = "approved"  # the coordinator accepted it: read-only, counts as submitted

    @property
    def label(self) -> str:
        return _REPORT_STATE_LABELS[self]

    @property
    def is_submitted(self) -> bool:
        """Handed in and not handed back: read-only for the municipality, shared with others."""
        return self in (ReportState.SUBMITTED, ReportState.APPROVED)

    @property
    def is_open_for_editing(self) -> bool:
        return self in (ReportState.IN_PROGRESS, ReportState.SENT_BACK)


_REPORT_STATE_LABELS = {
    ReportState.NOT_STARTED: "Ikke startet",
    ReportState.IN_PROGRESS: "I gang",
    ReportState.SUBMITTED: "Indsendt",
    ReportState.SENT_BACK: "Sendt tilbage",
    ReportState.APPROVED: "Godkendt",
}


class ReportEventKind(enum.StrEnum):
    """Something that happened to a whole report, shown on its timeline."""

    STARTED = "started"
    SUBMITTED = "submitted"
    REOPENED = "reopened"
    COMMITTEE = "committee"
    SENT_BACK = "sent_back"  # detail: the coordinator's comment
    APPROVED = "approved"
    REMINDED = "reminded"  # not stored as an event: the timeline reads the reminders' own table

    @property
    def label(self) -> str:
        return _REPORT_EVENT_LABELS[self]


_REPORT_EVENT_LABELS = {
    ReportEventKind.STARTED: "Startet",
    ReportEventKind.SUBMITTED: "Indsendt",
    ReportEventKind.REOPENED: "Genåbnet",
    ReportEventKind.COMMITTEE: "Politisk behandling registreret",
    ReportEventKind.SENT_BACK: "Sendt tilbage",
    ReportEventKind.APPROVED: "Godkendt",
    ReportEventKind.REMINDED: "Påmindet",
}


class FollowUpState(enum.StrEnum):
    """A municipality's place in the coordinator's follow-up overview of a round."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    SENT_BACK = "sent_back"
    APPROVED = "approved"
    COMMITTEE = "committee"  # submitted or approved, and the council has dealt with it

    @property
    def label(self) -> str:
        return _FOLLOW_UP_LABELS[self]


_FOLLOW_UP_LABELS = {
    FollowUpState.NOT_STARTED: "Ikke startet",
    FollowUpState.IN_PROGRESS: "I gang",
    FollowUpState.SUBMITTED: "Indsendt",
    FollowUpState.SENT_BACK: "Sendt tilbage",
    FollowUpState.APPROVED: "Godkendt",
    FollowUpState.COMMITTEE: "Politisk behandlet",
}


class MailState(enum.StrEnum):
    """Where one e-mail in the outbox stands (``app.domain.outbox``)."""

    PENDING = "pending"  # waiting for its first or next attempt
    SENDING = "sending"  # claimed by a sender until ``claimed_until``
    SENT = "sent"  # the SMTP server accepted it
    FAILED = "failed"  # refused for good, or out of attempts

    @property
    def label(self) -> str:
        return _MAIL_STATE_LABELS[self]


_MAIL_STATE_LABELS = {
    MailState.PENDING: "Venter",
    MailState.SENDING: "Sendes",
    MailState.SENT: "Sendt",
    MailState.FAILED: "Kunne ikke sendes",
}


class Standing(enum.StrEnum):
    """What one cell of a round (a municipality × a recommendation) counts as in the rollup.

    The three colours, and three standings that are never a colour: fravalgt (a KAN row
    deliberately not chosen), not reported (no colour, or no submitted report) and not confirmed
    (carried over from last year and neither confirmed nor changed). None of the three is red.
    """

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    OPTED_OUT = "opted_out"
    NOT_REPORTED = "not_reported"
    UNCONFIRMED = "unconfirmed"

    @property
    def label(self) -> str:
        return _STANDING_LABELS[self]

    @property
    def shape(self) -> str:
        """Never colour alone: the colour's shape, or a sign of its own."""
        return _STANDING_SHAPES[self]

    @property
    def short(self) -> str:
        """The word in a narrow cell (the matrix); screen readers get ``label``."""
        return _STANDING_SHORT.get(self) or self.label

    @property
    def colour(self) -> Colour | None:
        # Dictionaries, not Colour(value): the rollup asks this for every cell of every round.
        return _STANDING_COLOURS.get(self)

    @classmethod
    def of_colour(cls, colour: Colour) -> "Standing":
        return _COLOUR_STANDINGS[colour]


_COLOUR_STANDINGS = {Colour.GREEN: Standing.GREEN, Colour.YELLOW: Standing.YELLOW, Colour.RED: Standing.RED}
_STANDING_COLOURS = {standing: colour for colour, standing in _COLOUR_STANDINGS.items()}
_STANDING_LABELS = {
    Standing.GREEN: "Grøn",
    Standing.YELLOW: "Gul",
    Standing.RED: "Rød",
    Standing.OPTED_OUT: "Fravalgt",
    Standing.NOT_REPORTED: "Ikke indberettet",
    Standing.UNCONFIRMED: "Ikke bekræftet",
}
_STANDING_SHORT = {Standing.OPTED_OUT: "Frav.", Standing.NOT_REPORTED: "Ingen", Standing.UNCONFIRMED: "Ubekr."}
_STANDING_SHAPES = {
    Standing.GREEN: _COLOUR_SHAPES[Colour.GREEN],
    Standing.YELLOW: _COLOUR_SHAPES[Colour.YELLOW],
    Standing.RED: _COLOUR_SHAPES[Colour.RED],
    Standing.OPTED_OUT: "○",
    Standing.NOT_REPORTED: "–",
    Standing.UNCONFIRMED: "?",
}


class Change(enum.StrEnum):
    """Year over year: how a cell moved since the previous round (rød < gul < grøn)."""

    BETTER = "better"
    WORSE = "worse"
    SAME = "same"
    NEW = "new"  # the recommendation is new in this edition: nothing to compare with

    @property
    def symbol(self) -> str:
        return _CHANGE_SYMBOLS[self]

    @property
    def label(self) -> str:
        return _CHANGE_LABELS[self]


_CHANGE_SYMBOLS = {Change.BETTER: "▲", Change.WORSE: "▼", Change.SAME: "=", Change.NEW: "• ny"}
_CHANGE_LABELS = {Change.BETTER: "bedre", Change.WORSE: "dårligere", Change.SAME: "uændret", Change.NEW: "ny"}


class UserState(enum.StrEnum):
    """Where an account stands. Accounts are deactivated, never deleted: history keeps names."""

    INVITED = "invited"  # has not chosen a password yet
    ACTIVE = "active"
    DEACTIVATED = "deactivated"

    @property
    def label(self) -> str:
        return _USER_STATE_LABELS[self]


_USER_STATE_LABELS = {
    UserState.INVITED: "Inviteret",
    UserState.ACTIVE: "Aktiv",
    UserState.DEACTIVATED: "Deaktiveret",
}


class LinkPurpose(enum.StrEnum):
    """What a single-use link in a mail is for."""

    INVITATION = "invitation"
    RESET = "reset"

    @property
    def label(self) -> str:
        return _LINK_PURPOSE_LABELS[self]


_LINK_PURPOSE_LABELS = {LinkPurpose.INVITATION: "Invitation", LinkPurpose.RESET: "Nulstilling af adgangskode"}


class AuditAction(enum.StrEnum):
    """An administrative action on an account, as the audit log names it."""

    CREATED = "created"
    INVITED = "invited"
    CHANGED = "changed"  # role, scope or name
    DEACTIVATED = "deactivated"
    REACTIVATED = "reactivated"
    RESET_REQUESTED = "reset_requested"
    RESET_DONE = "reset_done"
    PASSWORD_CHOSEN = "password_chosen"  # noqa: S105 - an invitation accepted (not a password)
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - by the user, with the old one
    SIGNED_OUT_EVERYWHERE = "signed_out_everywhere"

    @property
    def label(self) -> str:
        return _AUDIT_ACTION_LABELS[self]


_AUDIT_ACTION_LABELS = {
    AuditAction.CREATED: "Oprettet",
    AuditAction.INVITED: "Invitation sendt",
    AuditAction.CHANGED: "Rolle eller adgang ændret",
    AuditAction.DEACTIVATED: "Deaktiveret",
    AuditAction.REACTIVATED: "Genaktiveret",
    AuditAction.RESET_REQUESTED: "Nulstilling af adgangskode bestilt",
    AuditAction.RESET_DONE: "Adgangskode nulstillet",
    AuditAction.PASSWORD_CHOSEN: "Adgangskode valgt fra invitation",
    AuditAction.PASSWORD_CHANGED: "Adgangskode ændret",
    AuditAction.SIGNED_OUT_EVERYWHERE: "Logget ud overalt",
}
