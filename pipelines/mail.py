"""Sending the monthly report by mail, through the SMTP server of the settings (`ADVOCACY_SMTP_*`).

STARTTLS whenever the server offers it (port 465: TLS from the start); a login when a user is set, and never a
password over a plain connection to another machine. Every failure is a `MailError` that names the server.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from pipelines.config import Settings, settings

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


class MailError(Exception):
    """The mail could not be sent; the message says why and names the server."""


def recipients(text: str) -> list[str]:
    """`a@x.com,b@y.com` as a list; a ValueError names an address that is not one."""
    found = [part.strip() for part in text.split(",") if part.strip()]
    bad = [a for a in found if "@" not in a or a.startswith("@") or a.endswith("@") or " " in a]
    if bad or not found:
        raise ValueError(f"not an e-mail address: {', '.join(bad) or repr(text)}")
    return found


def message(to: Sequence[str], subject: str, body: str, attachment: bytes, filename: str,
            sender: str) -> EmailMessage:  # fmt: skip
    """A plain-text mail with one PDF attached."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = ", ".join(to)
    mail["Subject"] = subject
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    mail.set_content(body)
    mail.add_attachment(attachment, maintype="application", subtype="pdf", filename=filename)
    return mail


def sender(config: Settings | None = None) -> str:
    """The From address: `ADVOCACY_MAIL_FROM`, else the SMTP user when it is an address, else advocacy@host."""
    config = config or settings()
    if config.mail_from:
        return config.mail_from
    if config.smtp_user and "@" in config.smtp_user:
        return config.smtp_user
    return f"advocacy@{socket.getfqdn() or 'localhost'}"


def send(mail: EmailMessage, config: Settings | None = None) -> None:
    """Send `mail` to its To addresses through the settings' server; MailError when it cannot."""
    config = config or settings()
    if not config.smtp_host:
        raise MailError("no mail server: set ADVOCACY_SMTP_HOST (and ADVOCACY_SMTP_PORT, ADVOCACY_MAIL_FROM)")
    where = f"{config.smtp_host}:{config.smtp_port}"
    context = ssl.create_default_context()
    try:
        if config.smtp_port == 465:
            server: smtplib.SMTP = smtplib.SMTP_SSL(config.smtp_host, config.smtp_port,
                                                   timeout=config.smtp_timeout_s, context=context)  # fmt: skip
        else:
            server = smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=config.smtp_timeout_s)
        with server:
            server.ehlo()
            secure = config.smtp_port == 465
            if not secure and server.has_extn("starttls"):
                server.starttls(context=context)
                server.ehlo()  # the server's extensions may differ once encrypted
                secure = True
            if config.smtp_user:
                if not secure and config.smtp_host not in LOOPBACK:
                    raise MailError(f"the mail server {where} does not offer STARTTLS: the password is not sent "
                                    "over a plain connection")  # fmt: skip
                server.login(config.smtp_user, config.smtp_password or "")
            refused = server.send_message(mail)
    except MailError:
        raise
    except smtplib.SMTPAuthenticationError as error:
        raise MailError(f"the mail server {where} refused the login of {config.smtp_user!r}: "
                        f"{_said(error.smtp_error)}") from None  # fmt: skip
    except smtplib.SMTPRecipientsRefused as error:
        raise MailError(f"the mail server {where} refused every recipient: {', '.join(error.recipients)}") from None
    except smtplib.SMTPSenderRefused as error:
        raise MailError(f"the mail server {where} refused the sender {error.sender!r}: "
                        f"{_said(error.smtp_error)}") from None  # fmt: skip
    except smtplib.SMTPNotSupportedError as error:
        raise MailError(f"the mail server {where} does not support this: {error}") from None
    except ssl.SSLError as error:
        raise MailError(f"no secure connection with the mail server {where}: {error.reason or error}") from None
    except smtplib.SMTPResponseException as error:
        raise MailError(f"the mail server {where} answered {error.smtp_code}: {_said(error.smtp_error)}") from None
    except (smtplib.SMTPException, OSError) as error:
        raise MailError(f"the mail server {where} cannot be reached: {error}") from None
    if refused:
        raise MailError(f"the mail server {where} refused: {', '.join(refused)} (the others got the report)")


def _said(text: bytes | str) -> str:
    return text.decode(errors="replace") if isinstance(text, bytes) else str(text)
