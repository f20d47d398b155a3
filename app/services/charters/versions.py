"""Service charters: their versions, commitments and activation, and the active commitments
that set deadlines elsewhere (seed 001; DOMAIN §4).

Each charter type (product access, financing, customer attention) has one line of versions. Only
the newest version of a type can be edited: a draft (never activated) in place; an active or
already-issued one by saving a new version N+1, which stays a draft until it is activated. Older
versions are kept, read-only. One charter per type is active at a time.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from peewee import fn

from app.i18n import _, format_number
from app.models import AuditEntry, CharterCommitment, ProductCategory, ServiceCharter
from app.models.charters import scope_codes, scope_text
from app.models.enums import CaseCategory, CharterIndicator, CharterPeriod, CharterType, ContactChannel
from app.services import audit
from app.services.charters.indicators import (
    CASE_SCOPE_INDICATORS,
    OPTIONAL_DAYS_INDICATORS,
    PRODUCT_SCOPE_INDICATORS,
    SHARE_INDICATORS,
    Deadline,
    Scope,
    commitment_sentence,
    has_days,
    sentence_problems,
    target_number,
)
from app.services.errors import DomainError, NotFoundError, ValidationError
from app.services.transactions import check_version, write_command, write_transaction

ENTITY = "service_charter"
CI = CharterIndicator
# The channels a charter lists (the seed's accessibility: phone, post, e-mail, in person).
CHARTER_CHANNELS = (ContactChannel.PHONE, ContactChannel.EMAIL, ContactChannel.POST, ContactChannel.IN_PERSON)
TITLE_MAX = 200


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class ChannelEntry:
    channel: ContactChannel
    detail: str
    hours: str = ""


@dataclass(frozen=True)
class CommitmentInput:
    text: str
    indicator: CharterIndicator
    days: int | None
    target: Decimal | float | int | None
    period: CharterPeriod = CharterPeriod.YEAR
    # The population measured (indicators.Scope); empty = everything.
    case_categories: tuple[CaseCategory, ...] = ()
    product_categories: tuple[str, ...] = ()  # ProductCategory.code
    channel: ContactChannel | None = None


@dataclass(frozen=True)
class CommitmentRow:
    id: int
    position: int
    text: str
    indicator: CharterIndicator
    days: int | None
    target: Decimal
    period: CharterPeriod
    case_categories: tuple[CaseCategory, ...] = ()
    product_categories: tuple[str, ...] = ()
    channel: ContactChannel | None = None

    @property
    def scope(self) -> Scope:
        return Scope(self.case_categories, self.product_categories, self.channel)


@dataclass(frozen=True)
class CharterInput:
    type: CharterType
    title: str
    valid_from: dt.date | None
    valid_to: dt.date | None = None
    strategy: str = ""
    systems: str = ""
    personnel: str = ""
    channels: tuple[ChannelEntry, ...] = ()
    procedure: str = ""
    principles: str = ""
    commitments: tuple[CommitmentInput, ...] = ()


@dataclass(frozen=True)
class CharterRow:
    """A charter in the list: one version of a type."""

    id: int
    type: CharterType
    title: str
    version: int
    valid_from: dt.date
    valid_to: dt.date | None
    active: bool
    issued: bool  # activated at some time: editing it makes a new version
    latest: bool  # the newest version of its type; older ones are read-only
    commitment_count: int

    @property
    def read_only(self) -> bool:
        return not self.latest


@dataclass(frozen=True)
class CharterDetail:
    id: int
    type: CharterType
    title: str
    version: int
    valid_from: dt.date
    valid_to: dt.date | None
    active: bool
    issued: bool
    latest: bool
    strategy: str
    systems: str
    personnel: str
    channels: tuple[ChannelEntry, ...]
    procedure: str
    principles: str
    commitments: tuple[CommitmentRow, ...] = field(default_factory=tuple)
    row_version: int = 1  # the row's edit count (not the charter's version): an edit's expected_version

    @property
    def read_only(self) -> bool:
        return not self.latest

    @property
    def saves_new_version(self) -> bool:
        """Saving this charter makes version N+1 instead of changing it."""
        return self.active or self.issued


@dataclass(frozen=True)
class CharterDocument:
    """Everything the charter PDF prints (app.reports.charter.build_charter)."""

    company_name: str
    logo_path: str
    issued_on: dt.date
    charter_id: int
    type: CharterType
    title: str
    version: int
    valid_from: dt.date
    valid_to: dt.date | None
    active: bool
    strategy: str
    systems: str
    personnel: str
    channels: tuple[ChannelEntry, ...]
    procedure: str
    principles: str
    commitments: tuple[CommitmentRow, ...]  # their sentences with the target and days filled in


# --------------------------------------------------------------------------- texts


def default_procedure() -> str:
    """The four-stage complaint procedure of the seeds, in the current language."""
    return "\n".join(
        [
            _(
                "1. Reception: we receive your complaint or claim through any channel (phone, e-mail, post, in person or "
                "our web form) and listen to you carefully."
            ),
            _("2. Analysis: we classify it by type and category, which decides the right solution."),
            _(
                "3. Service: we propose a concrete solution (returning or exchanging the product, technical assistance, "
                "an apology or a compensation) through the channel agreed with you. If you do not accept it, we look "
                "for an agreement internally and, failing that, through external mediation (a consumer body or "
                "arbitration). Your case stays open until you answer."
            ),
            _(
                "4. Satisfaction analysis: some time after closing it we contact you again to learn your opinion and "
                "how satisfied you are."
            ),
        ]
    )


def default_principles() -> str:
    """The seed's communication principles, in the current language."""
    return "\n".join(
        [
            _("Quality: our communication with you is careful and free of mistakes."),
            _("Accessibility: you can reach us by phone, post, e-mail and in person."),
            _("Professionalism: the people who attend you are trained for it and aim for excellence."),
            _("Diligence: we attend you quickly, at the right time and efficiently."),
            _("Courtesy: we treat you kindly, with respect and consideration."),
            _(
                "Ambience: the places and means where we attend you are in good order and pleasant, so you can trust "
                "us."
            ),
        ]
    )


def target_range(indicator: CharterIndicator) -> tuple[float, float]:
    indicator = CharterIndicator(indicator)
    if indicator in SHARE_INDICATORS:
        return 0.0, 100.0
    if indicator is CI.AVERAGE_SATISFACTION:
        return 1.0, 5.0
    return -100.0, 100.0


def format_target(indicator: CharterIndicator, target) -> str:
    """The target as a reader sees it: "≥ 95 %", "≥ 4.2 of 5", "≥ 40"."""
    indicator = CharterIndicator(indicator)
    number = target_number(target)
    if indicator in SHARE_INDICATORS:
        return _("≥ {value} %").format(value=number)
    if indicator is CI.AVERAGE_SATISFACTION:
        return _("≥ {value} of 5").format(value=number)
    return _("≥ {value}").format(value=number)


# --------------------------------------------------------------------------- queries


def _channels(raw: str) -> tuple[ChannelEntry, ...]:
    try:
        items = json.loads(raw) if raw else []
    except ValueError:
        return ()
    entries = []
    for item in items if isinstance(items, list) else []:
        try:
            channel = ContactChannel(item.get("channel"))
        except (ValueError, AttributeError):
            continue
        entries.append(ChannelEntry(channel, str(item.get("detail") or ""), str(item.get("hours") or "")))
    return tuple(entries)


def _issued_ids(ids=None) -> set[int]:
    query = AuditEntry.select(AuditEntry.entity_id).where(
        (AuditEntry.entity == ENTITY) & AuditEntry.action.in_(["activate", "deactivate"])
    )
    if ids is not None:
        query = query.where(AuditEntry.entity_id.in_(list(ids)))
    return {row[0] for row in query.tuples()}


def _latest_versions() -> dict[str, int]:
    query = ServiceCharter.select(ServiceCharter.type, fn.MAX(ServiceCharter.version)).group_by(
        ServiceCharter.type
    )
    return {str(kind): version for kind, version in query.tuples()}


def list_charters() -> list[CharterRow]:
    """Every charter version, grouped by type (catalogue order), newest version first."""
    counts = CharterCommitment.select(
        CharterCommitment.charter, fn.COUNT(CharterCommitment.id).alias("n")
    ).group_by(CharterCommitment.charter)
    count_of = {charter_id: n for charter_id, n in counts.tuples()}
    latest = _latest_versions()
    issued = _issued_ids()
    order = {kind.value: i for i, kind in enumerate(CharterType)}
    rows = [
        CharterRow(
            id=c.id,
            type=CharterType(c.type),
            title=c.title,
            version=c.version,
            valid_from=c.valid_from,
            valid_to=c.valid_to,
            active=c.active,
            issued=c.active or c.id in issued,
            latest=c.version >= latest.get(str(c.type), 0),
            commitment_count=count_of.get(c.id, 0),
        )
        for c in ServiceCharter.select()
    ]
    rows.sort(key=lambda r: (order.get(r.type.value, 99), -r.version, -r.id))
    return rows


def _scope_fields(scope: Scope) -> dict:
    return {
        "case_categories": scope.case_categories,
        "product_categories": scope.product_categories,
        "channel": scope.channel,
    }


def product_category_choices() -> list[tuple[str, str]]:
    """The product categories a commitment's scope can name: (code, name), by name."""
    return list(
        ProductCategory.select(ProductCategory.code, ProductCategory.name)
        .order_by(ProductCategory.name, ProductCategory.code)
        .tuples()
    )


def _commitment_rows(charter_id: int) -> tuple[CommitmentRow, ...]:
    query = (
        CharterCommitment.select()
        .where(CharterCommitment.charter == charter_id)
        .order_by(CharterCommitment.position, CharterCommitment.id)
    )
    return tuple(
        CommitmentRow(
            id=m.id,
            position=m.position,
            text=m.text,
            indicator=CharterIndicator(m.indicator),
            days=m.days,
            target=Decimal(str(m.target)),
            period=CharterPeriod(m.period),
            **_scope_fields(Scope.of(m)),
        )
        for m in query
    )


def _charter(charter_id: int) -> ServiceCharter:
    charter = ServiceCharter.get_or_none(ServiceCharter.id == charter_id)
    if charter is None:
        raise NotFoundError(_("The service charter no longer exists."))
    return charter


def get_charter(charter_id: int) -> CharterDetail:
    """One charter version with its commitments in order."""
    c = _charter(charter_id)
    latest = _latest_versions().get(str(c.type), c.version)
    return CharterDetail(
        id=c.id,
        type=CharterType(c.type),
        title=c.title,
        version=c.version,
        valid_from=c.valid_from,
        valid_to=c.valid_to,
        active=c.active,
        issued=c.active or bool(_issued_ids([c.id])),
        latest=c.version >= latest,
        strategy=c.strategy,
        systems=c.systems,
        personnel=c.personnel,
        channels=_channels(c.channels),
        procedure=c.procedure,
        principles=c.principles,
        commitments=_commitment_rows(c.id),
        row_version=c.row_version,
    )


def active_charter_id(charter_type: CharterType) -> int | None:
    """The active charter of a type, if any."""
    return (
        ServiceCharter.select(ServiceCharter.id)
        .where((ServiceCharter.type == CharterType(charter_type)) & (ServiceCharter.active == True))  # noqa: E712
        .order_by(ServiceCharter.version.desc())
        .limit(1)
        .scalar()
    )


def next_version(charter_type: CharterType) -> int:
    """The version number a new charter of this type gets."""
    return (latest_version(charter_type) or 0) + 1


def latest_version(charter_type: CharterType) -> int | None:
    return (
        ServiceCharter.select(fn.MAX(ServiceCharter.version))
        .where(ServiceCharter.type == CharterType(charter_type))
        .scalar()
    )


def new_charter_input(
    charter_type: CharterType = CharterType.CUSTOMER_ATTENTION, *, today: dt.date
) -> CharterInput:
    """What a new charter starts with: the seeds' procedure and principles in the current language,
    and the channels of the most recent charter (the company's phone and address rarely change)."""
    latest = (
        ServiceCharter.select(ServiceCharter.channels).order_by(ServiceCharter.id.desc()).limit(1).scalar()
    )
    channels = _channels(latest or "") or tuple(ChannelEntry(channel, "", "") for channel in CHARTER_CHANNELS)
    return CharterInput(
        type=CharterType(charter_type),
        title="",
        valid_from=today,
        valid_to=None,
        channels=channels,
        procedure=default_procedure(),
        principles=default_principles(),
    )


def charter_document(charter_id: int, today: dt.date) -> CharterDocument:
    """Everything the charter PDF prints, for exactly this version."""
    from app.services.company import load_company_settings

    detail = get_charter(charter_id)
    company = load_company_settings()
    return CharterDocument(
        company_name=_(company.name),
        logo_path=company.logo_path,
        issued_on=today,
        charter_id=detail.id,
        type=detail.type,
        title=detail.title,
        version=detail.version,
        valid_from=detail.valid_from,
        valid_to=detail.valid_to,
        active=detail.active,
        strategy=detail.strategy,
        systems=detail.systems,
        personnel=detail.personnel,
        channels=tuple(c for c in detail.channels if c.detail.strip()),
        procedure=detail.procedure,
        principles=detail.principles,
        commitments=tuple(
            replace(row, text=commitment_sentence(row.text, row.days, row.target))
            for row in detail.commitments
        ),
    )


# --------------------------------------------------------------------------- validation


def _clean_target(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _validate(data: CharterInput) -> tuple[dict[str, str], tuple[ChannelEntry, ...], list[dict]]:
    """Errors by field, the channels kept (blank rows dropped) and the commitments to write."""
    errors: dict[str, str] = {}
    if not (data.title or "").strip():
        errors["title"] = _("Give the charter a title.")
    elif len(data.title.strip()) > TITLE_MAX:
        errors["title"] = _("The title is too long (at most {n} characters).").format(n=TITLE_MAX)
    if data.valid_from is None:
        errors["valid_from"] = _("Say from when the charter is valid.")
    elif data.valid_to is not None and data.valid_to < data.valid_from:
        errors["valid_to"] = _("The charter cannot end before it starts.")
    try:
        CharterType(data.type)
    except ValueError:
        errors["type"] = _("Choose the type of charter.")

    channels = []
    missing_detail = False
    for entry in data.channels:
        detail, hours = (entry.detail or "").strip(), (entry.hours or "").strip()
        if not detail and not hours:
            continue
        if not detail:
            missing_detail = True
            continue
        channels.append(ChannelEntry(ContactChannel(entry.channel), detail, hours))
    if missing_detail:
        errors["channels"] = _("Every contact channel needs its number, address or place.")
    elif not channels:
        errors["channels"] = _("List at least one contact channel with its number, address or place.")

    commitments = []
    known_products: set[str] | None = None  # the product categories' codes, read once when needed
    for index, item in enumerate(data.commitments):
        key = f"commitments.{index}"
        text = (item.text or "").strip()
        if not text:
            errors[f"{key}.text"] = _("Commitment {n}: write what the company commits to.").format(
                n=index + 1
            )
        try:
            indicator = CharterIndicator(item.indicator)
        except ValueError:
            errors[f"{key}.indicator"] = _("Commitment {n}: choose an indicator.").format(n=index + 1)
            continue
        days = item.days
        if has_days(indicator):
            if days is None or int(days) < 1:
                errors[f"{key}.days"] = _("Commitment {n}: say within how many days (at least 1).").format(
                    n=index + 1
                )
        elif indicator in OPTIONAL_DAYS_INDICATORS:
            if days is not None and int(days) < 0:
                errors[f"{key}.days"] = _("Commitment {n}: the days of tolerance cannot be negative.").format(
                    n=index + 1
                )
            days = days or None
        else:
            days = None
        for problem in sentence_problems(text, days)[:1]:
            errors.setdefault(
                f"{key}.text", _("Commitment {n}: {problem}").format(n=index + 1, problem=problem)
            )
        scope_error, case_categories, channel = _scope_problem(item, indicator)
        if scope_error is None and item.product_categories:
            if known_products is None:
                known_products = {code for (code,) in ProductCategory.select(ProductCategory.code).tuples()}
            missing = sorted(set(item.product_categories) - known_products)
            if missing:
                scope_error = _("there is no product category {code}.").format(code=missing[0])
        if scope_error is not None:
            errors[f"{key}.scope"] = _("Commitment {n}: {problem}").format(n=index + 1, problem=scope_error)
        target = _clean_target(item.target)
        low, high = target_range(indicator)
        if target is None:
            errors[f"{key}.target"] = _("Commitment {n}: give a target.").format(n=index + 1)
        elif not low <= float(target) <= high:
            errors[f"{key}.target"] = _(
                "Commitment {n}: the target must be between {low} and {high}."
            ).format(n=index + 1, low=format_number(low, 0), high=format_number(high, 0))
        commitments.append(
            {
                "position": index + 1,
                "text": text,
                "indicator": indicator,
                "days": int(days) if days is not None else None,
                "target": target,
                "period": CharterPeriod(item.period or CharterPeriod.YEAR),
                "case_categories": scope_text(c.value for c in case_categories),
                "product_categories": scope_text(item.product_categories),
                "channel": channel,
            }
        )
    return errors, tuple(channels), commitments


def _scope_problem(
    item: CommitmentInput, indicator: CharterIndicator
) -> tuple[str | None, list[CaseCategory], ContactChannel | None]:
    """What is wrong with a commitment's scope (None: nothing), its case categories and channel."""
    try:
        case_categories = [CaseCategory(c) for c in item.case_categories or ()]
        channel = ContactChannel(item.channel) if item.channel else None
    except ValueError:
        return _("choose the categories and the channel from the lists."), [], None
    if (case_categories or channel is not None) and indicator not in CASE_SCOPE_INDICATORS:
        return (
            _(
                "only complaints and claims have a case category and a channel: "
                "choose them for an indicator about cases, or leave them empty."
            ),
            [],
            None,
        )
    if item.product_categories and indicator not in PRODUCT_SCOPE_INDICATORS:
        return _("this indicator cannot be narrowed to product categories: leave them empty."), [], None
    return None, case_categories, channel


def validate_charter(data: CharterInput) -> None:
    """ValidationError keyed by field (title, valid_from, valid_to, channels, commitments.N.text|days|target|scope)."""
    errors, _channels_kept, _rows = _validate(data)
    if errors:
        raise ValidationError(errors)


# --------------------------------------------------------------------------- commands


def _channels_detail(text: str | None) -> list[str]:
    """A charter's channels as the audit records them: one "channel: detail (hours)" each."""
    try:
        entries = json.loads(text or "[]")
    except ValueError:
        return []
    return [
        " ".join(
            part for part in (f"{e.get('channel', '')}:", e.get("detail", ""), e.get("hours", "")) if part
        )
        for e in entries
        if isinstance(e, dict)
    ]


def _commitments_detail(rows) -> list[str]:
    """A charter's commitments as the audit records them: one line each with what it measures, its
    target and the population it is measured over (codes, as every audited value)."""

    def code(value) -> str:
        return str(getattr(value, "value", value))

    lines = []
    for row in sorted(rows, key=lambda r: r["position"]):
        measure = [code(row["indicator"])]
        if row.get("days") is not None:
            measure.append(f"N={row['days']}")
        measure += [f"≥ {Decimal(str(row['target'])).normalize():f}", code(row["period"])]
        scope = [
            ", ".join(codes)
            for codes in (scope_codes(row.get("case_categories")), scope_codes(row.get("product_categories")))
            if codes
        ]
        if row.get("channel"):
            scope.append(code(row["channel"]))
        only = f"; {' / '.join(scope)}" if scope else ""
        lines.append(f"{row['text']} ({' '.join(measure)}{only})")
    return lines


def _write(charter: ServiceCharter, data: CharterInput, channels, commitments) -> audit.Changes:
    """Store the charter and its commitments; returns what changed, field by field."""
    before_channels = _channels_detail(charter.channels) if charter.id is not None else []
    before_commitments = (
        _commitments_detail(CharterCommitment.select().where(CharterCommitment.charter == charter.id).dicts())
        if charter.id is not None
        else []
    )
    charter.type = CharterType(data.type)
    charter.title = data.title.strip()
    charter.valid_from = data.valid_from
    charter.valid_to = data.valid_to
    charter.strategy = data.strategy.strip()
    charter.systems = data.systems.strip()
    charter.personnel = data.personnel.strip()
    charter.channels = json.dumps(
        [{"channel": c.channel.value, "detail": c.detail, "hours": c.hours} for c in channels],
        ensure_ascii=False,
    )
    charter.procedure = data.procedure.strip()
    charter.principles = data.principles.strip()
    changes = audit.pending_changes(charter, ignore=("channels",))
    changes.update(
        audit.differences(
            {"channels": before_channels, "commitments": before_commitments},
            {"channels": _channels_detail(charter.channels), "commitments": _commitments_detail(commitments)},
        )
    )
    charter.save()
    CharterCommitment.delete().where(CharterCommitment.charter == charter.id).execute()
    if commitments:
        CharterCommitment.insert_many([{**row, "charter": charter.id} for row in commitments]).execute()
    return changes


_SNAPSHOT_FIELDS = (
    "type",
    "title",
    "version",
    "valid_from",
    "valid_to",
    "strategy",
    "systems",
    "personnel",
    "procedure",
    "principles",
)


def _snapshot(charter: ServiceCharter) -> dict[str, object]:
    """A stored charter's fields as the audit compares them (channels and commitments as text)."""
    values: dict[str, object] = {name: getattr(charter, name) for name in _SNAPSHOT_FIELDS}
    values["channels"] = _channels_detail(charter.channels)
    values["commitments"] = _commitments_detail(
        CharterCommitment.select().where(CharterCommitment.charter == charter.id).dicts()
    )
    return values


def _charter_label(charter: ServiceCharter) -> str:
    """A charter in the audit: its title and version ("Carta de servicios v3")."""
    return f"{charter.title[:50]} v{charter.version}"


@write_command
def save_charter(
    charter_id: int | None,
    data: CharterInput,
    *,
    acting_rep_id: int | None = None,
    expected_version: int | None = None,
) -> int:
    """Create a charter (charter_id None) or save changes; returns the id of the version saved.

    A draft is changed in place; an active or already-issued charter gets a new version N+1 (a
    draft; the old version stays as it was). Older versions cannot be changed. `expected_version`
    is the row version the edit started from (ConcurrentEditError if it moved on).
    """
    if charter_id is not None:
        check_version(_charter(charter_id), expected_version, lambda: get_charter(charter_id))
    errors, channels, commitments = _validate(data)
    if errors:
        raise ValidationError(errors)
    with write_transaction():
        if charter_id is None:
            charter = ServiceCharter(version=next_version(data.type), active=False)
            changes = _write(charter, data, channels, commitments)
            audit.record(
                "create", ENTITY, charter.id, acting_rep_id, label=_charter_label(charter), changes=changes
            )
            return charter.id
        current = get_charter(charter_id)
        if current.read_only:
            raise DomainError(
                _(
                    "Version {version} of this charter is an old version and cannot be changed; "
                    "edit the newest one."
                ).format(version=current.version)
            )
        if current.saves_new_version:
            before = _snapshot(_charter(current.id))
            charter = ServiceCharter(version=next_version(data.type), active=False)
            _write(charter, data, channels, commitments)
            changes = audit.differences(before, _snapshot(charter))
            audit.record(
                "new_version",
                ENTITY,
                charter.id,
                acting_rep_id,
                label=_charter_label(charter),
                changes=changes,
                context={"previous": current.id},
            )
            return charter.id
        charter = _charter(charter_id)
        if CharterType(data.type) != current.type:
            charter.version = next_version(data.type)
        changes = _write(charter, data, channels, commitments)
        audit.record(
            "update", ENTITY, charter.id, acting_rep_id, label=_charter_label(charter), changes=changes
        )
        return charter.id


@write_command
def activate_charter(charter_id: int, *, acting_rep_id: int | None = None) -> None:
    """Make this version its type's active charter (the type's other active version stops being active)."""
    detail = get_charter(charter_id)
    if not detail.commitments:
        raise ValidationError(
            {"commitments": _("Add at least one commitment before activating the charter.")}
        )
    data = CharterInput(
        type=detail.type,
        title=detail.title,
        valid_from=detail.valid_from,
        valid_to=detail.valid_to,
        channels=detail.channels,
        commitments=tuple(
            CommitmentInput(m.text, m.indicator, m.days, m.target, m.period, **_scope_fields(m.scope))
            for m in detail.commitments
        ),
    )
    validate_charter(data)
    with write_transaction():
        replaced = [
            row[0]
            for row in ServiceCharter.select(ServiceCharter.id)
            .where(
                (ServiceCharter.type == detail.type)
                & (ServiceCharter.active == True)  # noqa: E712
                & (ServiceCharter.id != charter_id)
            )
            .tuples()
        ]
        if replaced:
            ServiceCharter.update(active=False, row_version=ServiceCharter.row_version + 1).where(
                ServiceCharter.id.in_(replaced)
            ).execute()
            for other_id, title, version in (
                ServiceCharter.select(ServiceCharter.id, ServiceCharter.title, ServiceCharter.version)
                .where(ServiceCharter.id.in_(replaced))
                .tuples()
            ):
                audit.record(
                    "deactivate",
                    ENTITY,
                    other_id,
                    acting_rep_id,
                    label=f"{title[:50]} v{version}",
                    changes={"active": (True, False)},
                    context={"replaced_by": charter_id},
                )
        ServiceCharter.update(active=True, row_version=ServiceCharter.row_version + 1).where(
            ServiceCharter.id == charter_id
        ).execute()
        audit.record(
            "activate",
            ENTITY,
            charter_id,
            acting_rep_id,
            label=f"{detail.title[:50]} v{detail.version}",
            changes={"active": (False, True)},
        )


@write_command
def deactivate_charter(charter_id: int, *, acting_rep_id: int | None = None) -> None:
    """Stop using this charter: its type has no active charter until another version is activated."""
    detail = get_charter(charter_id)
    if not detail.active:
        raise DomainError(_("The charter is not active."))
    with write_transaction():
        ServiceCharter.update(active=False, row_version=ServiceCharter.row_version + 1).where(
            ServiceCharter.id == charter_id
        ).execute()
        audit.record(
            "deactivate",
            ENTITY,
            charter_id,
            acting_rep_id,
            label=f"{detail.title[:50]} v{detail.version}",
            changes={"active": (True, False)},
        )


# --------------------------------------------------------------------------- deadlines elsewhere


def commitment_deadline(indicator: CharterIndicator, default_days: int) -> Deadline:
    """The deadline the active charters' commitments for `indicator` set, record by record: each
    commitment's N over its own population, the strictest applying; `default_days` for a record no
    commitment is about."""
    rows = (
        CharterCommitment.select(
            CharterCommitment.days,
            CharterCommitment.case_categories,
            CharterCommitment.product_categories,
            CharterCommitment.channel,
        )
        .join(ServiceCharter)
        .where(
            (ServiceCharter.active == True)  # noqa: E712 (peewee expression)
            & (CharterCommitment.indicator == indicator)
            & CharterCommitment.days.is_null(False)
        )
        .order_by(CharterCommitment.days, CharterCommitment.id)
    )
    return Deadline(default_days, tuple((row.days, Scope.of(row)) for row in rows))


def commitment_days(indicator: CharterIndicator, default_days: int) -> int:
    """The N of "within N days" for a record of no particular population: the strictest active
    commitment about every record of `indicator`, else `default_days` (a commitment about part of
    them, billing complaints say, does not set it)."""
    return commitment_deadline(indicator, default_days).days_for()
