"""One code path for every printed document: the Reports page and `postventa report` both call this.

A `DocumentRequest` says which document (activity report, service charter, annual register), for
which period, rep, year or charter, and in which language. `validate_request` checks it with
messages a user can read (in the request's language); `produce_document` validates, gathers the
data from the services and builds the PDF through app.outputs (a temporary file renamed at the end,
so a failure never leaves a partial file; never over a database, an existing file only with `force`).
No Qt here.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app import i18n, outputs
from app.i18n import N_, _, format_date
from app.models.enums import CharterType, Choice
from app.services.errors import NotFoundError, ValidationError
from app.services.inputs import FIRST_YEAR, date_error
from app.services.permissions import UNRESTRICTED, Permissions

MAX_PERIOD_YEARS = 5


class DocumentKind(Choice):
    ACTIVITY = "activity", N_("Activity report")
    CHARTER = "charter", N_("Service charter")
    REGISTER = "register", N_("Register of complaints and claims")


@dataclass(frozen=True)
class DocumentRequest:
    kind: DocumentKind
    language: str = "es"  # "es" | "en"
    start: dt.date | None = None  # activity: the period (inclusive)
    end: dt.date | None = None
    rep_id: int | None = None  # activity: one rep only (None: everyone)
    year: int | None = None  # register
    charter_type: CharterType | None = (
        None  # charter: the active charter of this type (None: the first active one)
    )
    charter_id: int | None = None  # charter: exactly this version (editor preview; need not be active)


Progress = Callable[[int, int], None]


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _charter_id(request: DocumentRequest) -> int | None:
    """The charter the request names: exactly `charter_id`, else the active one of the type (or the first)."""
    from app.services.charters import active_charter_id

    if request.charter_id is not None:
        return request.charter_id
    types = [request.charter_type] if request.charter_type is not None else list(CharterType)
    for charter_type in types:
        charter_id = active_charter_id(charter_type)
        if charter_id is not None:
            return charter_id
    return None


def _activity_errors(request: DocumentRequest, today: dt.date) -> dict[str, str]:
    from app.services.reps import get_rep

    errors = {}
    for field, day, missing in (
        ("start", request.start, _("Choose the first day of the period.")),
        ("end", request.end, _("Choose the last day of the period.")),
    ):
        if day is None:
            errors[field] = missing
        elif problem := date_error(day, today):
            errors[field] = problem
    if not errors:
        if request.start > today:
            errors["start"] = _(
                "The period starts after today ({today}): there is nothing to report yet."
            ).format(today=format_date(today))
        elif request.end < request.start:
            errors["end"] = _("The period ends before it starts.")
        elif request.end >= _add_years(request.start, MAX_PERIOD_YEARS):
            errors["end"] = _("The period is too long: at most {years} years.").format(years=MAX_PERIOD_YEARS)
    if request.rep_id is not None:
        try:
            get_rep(request.rep_id)
        except NotFoundError as exc:
            errors["rep"] = str(exc)
    return errors


def _register_errors(request: DocumentRequest, today: dt.date) -> dict[str, str]:
    last = today.year  # a year that has not begun has nothing to register; this one is in progress
    if request.year is None:
        return {"year": _("Choose the year.")}
    if not FIRST_YEAR <= request.year <= last:
        return {"year": _("Choose a year between {first} and {last}.").format(first=FIRST_YEAR, last=last)}
    return {}


def _charter_errors(request: DocumentRequest) -> dict[str, str]:
    from app.services.charters import get_charter

    if request.charter_id is not None:
        try:
            get_charter(request.charter_id)
        except NotFoundError as exc:
            return {"charter": str(exc)}
        return {}
    if _charter_id(request) is not None:
        return {}
    if request.charter_type is not None:
        message = _(
            "There is no active service charter of type {type}; activate one on the Service charters page."
        ).format(type=request.charter_type.label)
    else:
        message = _("There is no active service charter; activate one on the Service charters page.")
    return {"charter": message}


def validate_request(request: DocumentRequest, today: dt.date) -> None:
    """Raise ValidationError({field: message}) when the request cannot be produced.

    Messages speak the user's language (the current one), whatever the document's language.
    """
    if request.language not in i18n.LANGUAGES:
        raise ValidationError(
            {
                "language": _("Choose the document's language: {choices}.").format(
                    choices=", ".join(i18n.LANGUAGES)
                )
            }
        )
    kind = DocumentKind(request.kind)
    if kind is DocumentKind.ACTIVITY:
        errors = _activity_errors(request, today)
    elif kind is DocumentKind.REGISTER:
        errors = _register_errors(request, today)
    else:
        errors = _charter_errors(request)
    if errors:
        raise ValidationError(errors)


def _check_path(path: str | os.PathLike, force: bool) -> Path:
    """Refuse, before any work, an output path that cannot or must not be written (app.outputs says
    why); returns the path to write, ".pdf" added when missing."""
    try:
        return outputs.resolve_output(path, ".pdf", force=force).path
    except outputs.OutputError as exc:
        raise ValidationError({"path": str(exc)}) from exc


def _gather(request: DocumentRequest, today: dt.date) -> object:
    kind = DocumentKind(request.kind)
    if kind is DocumentKind.ACTIVITY:
        from app.services.reporting.activity import activity_report

        # A period that ends after today is measured up to today, and says it is in progress.
        end = min(request.end, today)
        return activity_report(
            request.start, end, rep_id=request.rep_id, today=today, requested_end=request.end
        )
    if kind is DocumentKind.CHARTER:
        from app.services.charters import charter_document

        return charter_document(_charter_id(request), today)
    from app.services.reporting.complaints_register import complaints_register

    return complaints_register(request.year, today)


def _build(request: DocumentRequest, data: object, path: Path, force: bool) -> Path:
    kind = DocumentKind(request.kind)
    if kind is DocumentKind.ACTIVITY:
        from app.reports.activity import build_activity_report

        return build_activity_report(data, path, request.language, force=force)
    if kind is DocumentKind.CHARTER:
        from app.reports.charter import build_charter

        return build_charter(data, path, request.language, force=force)
    from app.reports.register import build_register

    return build_register(data, path, request.language, force=force)


def produce_document(
    request: DocumentRequest,
    path: str | os.PathLike,
    *,
    today: dt.date,
    progress: Progress | None = None,
    force: bool = False,
) -> Path:
    """Validate, gather the data and write the PDF to `path`; returns the path written.

    The path goes through app.outputs: ".pdf" is added when missing; the database, any SQLite file, a
    folder and (without `force`) an existing file are refused before any work. `progress(done, total)`
    is called when starting, once the data is gathered and once the document is built. Nothing is left
    at `path` (nor beside it) when anything fails.
    """
    report = progress or (lambda done, total: None)
    validate_request(request, today)
    target = _check_path(path, force)
    report(0, 2)
    with i18n.using_language(request.language):
        data = _gather(request, today)
    report(1, 2)
    written = _build(request, data, target, force)  # each builder writes in the request's language
    report(2, 2)
    return written


def _slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def default_file_name(request: DocumentRequest) -> str:
    """A file name for the document, in the request's language (e.g. activity-report-2026-01-01-2026-12-31.pdf)."""
    language = request.language if request.language in i18n.LANGUAGES else i18n.current_language()
    with i18n.using_language(language):
        kind = DocumentKind(request.kind)
        if kind is DocumentKind.ACTIVITY:
            if request.start is not None and request.end is not None:
                name = _("activity-report-{start}-{end}.pdf").format(
                    start=request.start.isoformat(), end=request.end.isoformat()
                )
            else:
                name = _("activity-report.pdf")
        elif kind is DocumentKind.CHARTER:
            if request.charter_type is not None:
                name = _("service-charter-{type}.pdf").format(type=_slug(request.charter_type.label))
            else:
                name = _("service-charter.pdf")
        elif request.year is not None:
            name = _("complaints-register-{year}.pdf").format(year=request.year)
        else:
            name = _("complaints-register.pdf")
    return name


# --- a person's data (issue 18) ------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonalDataExport:
    json_path: Path
    pdf_path: Path | None
    records: int


def export_personal_data(
    customer_id: int,
    json_path: str | os.PathLike,
    pdf_path: str | os.PathLike | None = None,
    *,
    language: str | None = None,
    permissions: Permissions = UNRESTRICTED,
    force: bool = False,
) -> PersonalDataExport:
    """Everything held about the customer as a JSON file and, when `pdf_path` is given, a readable PDF
    in `language` (the Customers' 360° view and `postventa customer export` alike). Both paths are
    refused before any work (app.outputs: never over a database, an existing file only with `force`);
    only a manager exports (`permissions`: who asks)."""
    from app.reports.personal_data import build_personal_data
    from app.services.customers import privacy

    outputs.resolve_output(json_path, ".json", force=force)
    if pdf_path is not None:
        outputs.resolve_output(pdf_path, ".pdf", force=force)
    data = privacy.personal_data(customer_id, permissions=permissions)
    written_json = privacy.write_personal_data_json(data, json_path, force=force)
    written_pdf = None
    if pdf_path is not None:
        written_pdf = build_personal_data(data, pdf_path, language or i18n.current_language(), force=force)
    return PersonalDataExport(written_json, written_pdf, data.count())
