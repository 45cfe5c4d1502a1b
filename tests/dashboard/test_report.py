"""The PDF report: `advocacy report` on the demo, read back with pdftotext and pdftoppm, and mailed to a real SMTP
server on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import json
import shutil
import ssl
import subprocess
from pathlib import Path
from typing import Any

import pytest

from dashboard import i18n
from dashboard.report import month_request, period_label, title
from pipelines.analytics import verdict
from pipelines.store.db import connect
from tests.conftest import CHROMIUM, NO_CHROMIUM, app, free_port
from tests.test_cli import run

PDFTOTEXT, PDFTOPPM = shutil.which("pdftotext"), shutil.which("pdftoppm")
needs_tools = [
    pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM),
    pytest.mark.skipif(PDFTOTEXT is None or PDFTOPPM is None, reason="poppler-utils (pdftotext, pdftoppm) missing"),
]
PERIOD, UNTIL = "2025-10", "2025-10-31"  # the demo's month with a contest (Défi de la rentrée)
CONTEST = "C2025-RENTREE"


@pytest.fixture(scope="module")
def opted_out_winner(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A copy of the demo where the month's most prolific poster has opted out of named rankings."""
    from pipelines.analytics.contests import ranking

    path = tmp_path_factory.mktemp("report") / "demo.duckdb"
    shutil.copyfile(demo_db, path)
    with connect(path) as con:
        winner = ranking(con, CONTEST, "posts").rows[0]
        con.execute("UPDATE employees SET contest_opt_in = false WHERE employee_id = ?", [winner["employee_id"]])
    return path, winner["name"]


@pytest.fixture(scope="module")
def pdfs(opted_out_winner: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if CHROMIUM is None or PDFTOTEXT is None:
        pytest.skip(NO_CHROMIUM if CHROMIUM is None else "poppler-utils (pdftotext) missing")
    db, _ = opted_out_winner
    out = tmp_path_factory.mktemp("pdfs")
    made = {}
    for lang in ("en", "fr"):
        made[lang] = out / f"report-{lang}.pdf"
        assert run("report", "--db", db, "--period", PERIOD, "--lang", lang, "--out", made[lang]) == 0
    return made


def text_of(pdf: Path) -> str:
    """The PDF's words, whitespace folded (a line may wrap anywhere)."""
    found = subprocess.run([str(PDFTOTEXT), str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(found.split())


def impact_effect(db: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    assert run("impact", "--db", db, "--until", UNTIL, "--json") == 0
    return json.loads(capsys.readouterr().out)["scopes"][0]["effect"]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_verdict_in_the_pdf_is_impacts_to_the_figure(pdfs, opted_out_winner, capsys, lang) -> None:
    effect = impact_effect(opted_out_winner[0], capsys)
    expected = verdict.lines(effect, lang)
    text = text_of(pdfs[lang])
    assert len(expected) == 3
    for line in expected:
        assert " ".join(line.split()) in text
    assert text.startswith(" ".join(title(month_request(PERIOD, lang)).split()))
    for caveat in verdict.caveats(effect, lang):
        assert " ".join(caveat.split()) in text
    if lang == "fr":  # the French report speaks French: decimal commas, no English heading left
        assert "La réponse" in text and "Équipes" in text and "Concours de la période" in text
        assert "The answer" not in text and "Teams" not in text and "other teams" not in text
        assert "Anonymous" not in text and "October" not in text


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_pdf_holds_the_teams_and_the_contests_winners_without_opted_out_names(pdfs, opted_out_winner,
                                                                                  lang) -> None:  # fmt: skip
    from pipelines.analytics.contests import CRITERIA, ranking

    db, opted_out = opted_out_winner
    text = text_of(pdfs[lang])
    with connect(db, read_only=True) as con:
        hidden = [name for (name,) in con.execute(
            "SELECT full_name FROM employees WHERE NOT contest_opt_in").fetchall()]  # fmt: skip
        winners = [row["name"] for c in CRITERIA for row in ranking(con, CONTEST, c).rows if row["rank"] == 1]
    for team in ("Customer Success", "Marketing", "Sales", "HR"):
        assert team in text
    assert ("autres équipes" if lang == "fr" else "other teams") in text
    assert "Défi de la rentrée" in text
    named = [w for w in winners if not w.startswith("Anonymous participant")]
    assert named and all(name in text for name in named)
    assert opted_out in hidden and opted_out not in text
    assert not [name for name in hidden if name in text]
    number = next(w for w in winners if w.startswith("Anonymous participant")).rsplit(" ", 1)[1]
    assert (f"Participant anonyme {number}" if lang == "fr" else f"Anonymous participant {number}") in text


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_charts_are_drawn_on_the_pages(pdfs, tmp_path, lang) -> None:
    import numpy as np
    from PIL import Image

    subprocess.run([str(PDFTOPPM), "-png", "-r", "50", str(pdfs[lang]), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 3

    def coloured(page: Path) -> float:
        """The share of the page in colour (charts: blue, red, gold), not black, grey or white (text, tables)."""
        pixels = np.asarray(Image.open(page).convert("RGB")).astype(int)
        return float(((pixels.max(axis=2) - pixels.min(axis=2)) > 60).mean())

    shares = [coloured(page) for page in pages]
    # page 1: the weekly chart; pages 2 and 3: the teams' charts, the months' (a page without its chart: 0.0). How
    # much of a page is colour depends on the data (one wide interval squashes the bars): a floor, not a level.
    assert shares[0] > 0.02 and shares[1] > 0.003 and shares[2] > 0.02, shares
    assert shares[-1] < 0.01, shares  # the teams table, the contests and the method: text


@pytest.mark.parametrize(("period", "said"), [("2019-01", "nothing to report"),
                                              ("2027-03", "no posts in March 2027")])  # fmt: skip
def test_a_period_without_data_says_so_without_a_stack_trace(demo_db, tmp_path, capsys, period, said) -> None:
    out = tmp_path / "r.pdf"
    assert run("report", "--db", demo_db, "--period", period, "--out", out) == 1
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err and not out.exists()


USAGE_ERRORS = [
    ["--period", "2026-13"],
    ["--period", "2026-10", "--from", "2026-10-01"],
    ["--period", "2026-10"],
    ["--period", "2026-10", "--mail-to", "nobody"],
]


@pytest.mark.parametrize("args", USAGE_ERRORS)
def test_report_usage_errors_exit_2(demo_db, tmp_path, capsys, args) -> None:
    out = [] if args == ["--period", "2026-10"] else ["--out", str(tmp_path / "r.pdf")]  # no --out, no --mail-to
    assert run("report", "--db", demo_db, *args, *out) == 2
    assert "advocacy report" in capsys.readouterr().err


def test_a_team_under_the_privacy_threshold_is_refused(demo_db, tmp_path, capsys) -> None:
    assert run("report", "--db", demo_db, "--team", "Executive Office", "--out", tmp_path / "r.pdf") == 1
    assert "privacy threshold" in capsys.readouterr().err


def test_the_period_is_named_in_each_language() -> None:
    assert period_label(month_request("2026-10", "en")) == "October 2026"
    assert title(month_request("2026-10", "fr")) == "Ambassadeurs salariés — rapport d'octobre 2026"
    assert title(month_request("2026-03", "fr")) == "Ambassadeurs salariés — rapport de mars 2026"
    assert i18n.translate("Posts", "fr") == "Publications" and i18n.num(1234.5, 1, "fr") == "1\u202f234,5"


# --- the mail ---------------------------------------------------------------------------------------------------


class Keep:
    """An SMTP handler that keeps what it receives."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        self.received.append((list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 OK"


def smtp_env(monkeypatch: pytest.MonkeyPatch, port: int) -> None:
    monkeypatch.setenv("ADVOCACY_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("ADVOCACY_SMTP_PORT", str(port))
    monkeypatch.setenv("ADVOCACY_MAIL_FROM", "reports@example.com")
    monkeypatch.setenv("ADVOCACY_SMTP_TIMEOUT", "10")
    for name in ("ADVOCACY_SMTP_USER", "ADVOCACY_SMTP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)


def received_report(keep: Keep) -> email.message.EmailMessage:
    assert len(keep.received) == 1
    recipients, content = keep.received[0]
    assert sorted(recipients) == ["a@x.com", "b@y.com"]
    letter = email.message_from_bytes(content, policy=email.policy.default)
    assert isinstance(letter, email.message.EmailMessage)
    attached = [part for part in letter.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert len(attached) == 1 and attached[0].get_content().startswith(b"%PDF")
    assert attached[0].get_filename() == f"advocacy-report-{PERIOD}.pdf"
    return letter


@pytest.mark.slow
def test_the_report_is_mailed_with_the_pdf_attached(demo_db, monkeypatch, capsys) -> None:
    if CHROMIUM is None:
        pytest.skip(NO_CHROMIUM)
    from aiosmtpd.controller import Controller

    keep, port = Keep(), free_port()
    controller = Controller(keep, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        smtp_env(monkeypatch, port)
        assert run("report", "--db", demo_db, "--period", PERIOD, "--mail-to", "a@x.com, b@y.com") == 0
    finally:
        controller.stop()
    letter = received_report(keep)
    assert letter["Subject"] == "Employee advocacy — report for October 2025"
    assert letter["From"] == "reports@example.com"
    body = letter.get_body(("plain",))
    assert body is not None and "Posts:" in body.get_content()
    assert "sent to a@x.com, b@y.com" in capsys.readouterr().out


@pytest.mark.slow
def test_the_report_is_mailed_over_starttls_when_the_server_requires_it(demo_db, tmp_path, monkeypatch) -> None:
    if CHROMIUM is None:
        pytest.skip(NO_CHROMIUM)
    if shutil.which("openssl") is None:
        pytest.skip("openssl is missing: no certificate for the test server")
    from aiosmtpd.controller import Controller

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out",
                    str(cert)], check=True, capture_output=True)  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    keep, port = Keep(), free_port()
    controller = Controller(keep, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True)
    controller.start()
    try:
        smtp_env(monkeypatch, port)
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts the test's own certificate
        assert run("report", "--db", demo_db, "--period", PERIOD, "--lang", "fr", "--mail-to", "a@x.com,b@y.com") == 0
    finally:
        controller.stop()
    letter = received_report(keep)
    assert letter["Subject"] == "Ambassadeurs salariés — rapport d'octobre 2025"


def test_an_unreachable_mail_server_is_named_without_a_stack_trace(demo_db, tmp_path, monkeypatch, capsys) -> None:
    from pipelines import mail

    port = free_port()  # nothing listens there
    smtp_env(monkeypatch, port)
    letter = mail.message(["a@x.com"], "s", "b", b"%PDF-1.4", "r.pdf", "reports@example.com")
    with pytest.raises(mail.MailError, match=f"127.0.0.1:{port} cannot be reached"):
        mail.send(letter)
    monkeypatch.delenv("ADVOCACY_SMTP_HOST")
    with pytest.raises(mail.MailError, match="ADVOCACY_SMTP_HOST"):
        mail.send(letter)


# --- the Overview's button --------------------------------------------------------------------------------------


@pytest.mark.usefixtures("fresh_caches")
def test_the_overview_offers_the_report(demo: Path) -> None:
    at = app("overview")
    buttons = at.get("download_button")
    labels = [b.proto.label for b in buttons]
    assert ("Report (PDF)" in labels) == (CHROMIUM is not None), labels


@pytest.mark.slow
@pytest.mark.usefixtures("fresh_caches")
def test_the_overviews_report_is_the_pages_verdict_in_the_pages_language(demo: Path, tmp_path: Path) -> None:
    if CHROMIUM is None or PDFTOTEXT is None:
        pytest.skip(NO_CHROMIUM if CHROMIUM is None else "poppler-utils (pdftotext) missing")
    from dashboard import data
    from pipelines.analytics.metrics import impact
    from pipelines.analytics.scopes import ImpactRequest

    request = ImpactRequest(team_filter=("Sales", "Marketing", "Engineering", "HR"))
    pdf = data.report_pdf(request, "fr")
    assert pdf.startswith(b"%PDF")
    (tmp_path / "r.pdf").write_bytes(pdf)
    text = text_of(tmp_path / "r.pdf")
    with connect(demo, read_only=True) as con:
        effect = impact(con, request)["scopes"][0]["effect"]
    assert all(" ".join(line.split()) in text for line in verdict.lines(effect, "fr"))
    assert "Équipes : Sales, Marketing, Engineering, HR" in text
