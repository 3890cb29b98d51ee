"""The outbox sender: delivers due mails through the SMTP server in the settings.

``send_due_mail(database, now, settings=...)`` is one pass, run by ``app.worker`` every few
seconds: claim a batch (committed as SENDING before anything is sent), send each mail over one
SMTP connection, and record each result in its own short transaction right after the server's
answer. See ``app.domain.outbox`` for the states and exactly what is guaranteed.
"""

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from app.config import Settings
from app.db import Database
from app.domain.outbox import MAX_ATTEMPTS, claim_due_mail, mark_failed, mark_sent, release_unsent
from app.domain.vocabulary import MailState
from app.models import OutboxMail

logger = logging.getLogger("fremdrift.mail")

BATCH_SIZE = 50
NOT_CONFIGURED = "Der er ingen SMTP-server sat op (FREMDRIFT_SMTP_HOST); mailen venter i udbakken."


@dataclass
class SendReport:
    """What one pass did."""

    configured: bool
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def smtp_configured(settings: Settings) -> bool:
    return bool(settings.smtp_host.strip())


def build_message(mail: OutboxMail, sender: str) -> EmailMessage:
    """The mail as it goes on the wire: plain text with an HTML alternative, and the row's own
    Message-ID, so a resend can be recognised as the same mail."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Message-ID"] = mail.message_id
    message["Date"] = format_datetime(mail.created_at)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.text_body)
    message.add_alternative(mail.html_body, subtype="html")
    return message


def connect(settings: Settings) -> smtplib.SMTP:
    """Open an SMTP connection as the settings say: STARTTLS, TLS from the start, or plain."""
    host, port, timeout = settings.smtp_host.strip(), settings.smtp_port, settings.smtp_timeout_seconds
    smtp: smtplib.SMTP
    if settings.smtp_security == "tls":
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if settings.smtp_security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
    except BaseException:
        smtp.close()
        raise
    return smtp


def _refusal(error: smtplib.SMTPException) -> tuple[str, bool]:
    """A Danish description of a refusal, and whether it is permanent (5xx)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in error.recipients.values()]
        answers = "; ".join(f"{code} {text.decode(errors='replace')}" for code, text in error.recipients.values())
        return f"SMTP-serveren afviste modtageren ({answers}).", all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
        return f"SMTP-serveren afviste mailen ({error.smtp_code} {text}).", error.smtp_code >= 500
    return f"Forbindelsen til SMTP-serveren gik tabt ({error}).", False


def send_due_mail(database: Database, now: datetime, *, settings: Settings, limit: int = BATCH_SIZE) -> SendReport:
    """Deliver the mails that are due. Without an SMTP server in the settings, nothing is
    claimed and every mail waits in the outbox."""
    if not smtp_configured(settings):
        return SendReport(configured=False)
    # Long enough for every mail of the batch to time out once, so a live sender keeps its claim.
    lease = timedelta(seconds=settings.smtp_timeout_seconds * (limit + 2))
    with database.write() as session:
        mails = claim_due_mail(session, now=now, limit=limit, lease=lease)
    report = SendReport(configured=True, claimed=len(mails))
    if not mails:
        return report
    try:
        smtp = connect(settings)
    except (OSError, smtplib.SMTPException) as error:
        where = f"{settings.smtp_host}:{settings.smtp_port}"
        _give_back(database, mails, now, f"Kunne ikke forbinde til SMTP-serveren {where} ({error}).", report)
        return report
    with smtp:
        for index, mail in enumerate(mails):
            assert mail.id is not None
            try:
                smtp.send_message(build_message(mail, settings.smtp_from))
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as error:
                text, permanent = _refusal(error)
                with database.write() as session:
                    state = mark_failed(session, mail, now=now, error=text, permanent=permanent)
                _count(report, state)
                logger.warning("mail %s to %s: %s", mail.message_id, mail.to_address, text)
            except (OSError, smtplib.SMTPException) as error:
                # The connection broke: this mail may or may not have arrived, so it and the rest
                # of the batch go back to the outbox and are sent again, with the same Message-ID.
                text, _permanent = _refusal(error) if isinstance(error, smtplib.SMTPException) else (str(error), False)
                _give_back(database, mails[index:], now, text, report)
                return report
            else:
                with database.write() as session:
                    mark_sent(session, mail.id, now=now)
                report.sent += 1
    return report


def _give_back(database: Database, mails: list[OutboxMail], now: datetime, error: str, report: SendReport) -> None:
    logger.warning("outbox: %d mails back to the queue: %s", len(mails), error)
    with database.write() as session:
        release_unsent(session, [mail.id for mail in mails if mail.id is not None], now=now, error=error)
    for mail in mails:
        _count(report, MailState.FAILED if mail.attempts >= MAX_ATTEMPTS else MailState.PENDING)


def _count(report: SendReport, state: MailState) -> None:
    if state is MailState.FAILED:
        report.failed += 1
    else:
        report.retrying += 1
