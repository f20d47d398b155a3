"""Customers: validation, commands, the searchable list and the 360° view. No Qt here."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from peewee import JOIN, IntegrityError, fn

from app.i18n import LANGUAGES, _
from app.models import (
    AuditEntry,
    Case,
    CheckTemplate,
    Customer,
    CustomerErasure,
    CustomerNeedTag,
    FollowUp,
    NeedTag,
    Product,
    Rep,
    Sale,
    SaleLine,
    SatisfactionSurvey,
    SoldUnit,
    UsageCheck,
    WarrantyReturn,
)
from app.models import now as now_on_the_wall
from app.models.base import insert_keyed_rows, insert_rows, max_length
from app.models.collation import sort_key
from app.models.customers import customer_search_text, fold_for_search, fold_key
from app.models.dialect import (
    TRIGRAM,
    contains_folded,
    customer_search_candidates,
    customers_inserted_in_bulk,
    rows_of_ordered_search,
)
from app.models.enums import (
    CaseCategory,
    CaseKind,
    CaseStage,
    CheckStatus,
    ContactChannel,
    CustomerKind,
    DissatisfactionCause,
    FollowUpKind,
    FollowUpOutcome,
    FollowUpPurpose,
    FollowUpState,
    ReturnReason,
    ReturnState,
    Segment,
    UnitStatus,
)
from app.models.sync_schema import provisional_label
from app.services import audit
from app.services.errors import DomainError, NotFoundError, ValidationError
from app.services.inputs import clean_text, date_error, is_email
from app.services.permissions import UNRESTRICTED, Permissions, Right
from app.services.sales.warranty import WarrantyStatus
from app.services.transactions import check_version, write_command, write_transaction

# ---------------------------------------------------------------------------
# Data going in and out


@dataclass(kw_only=True)
class CustomerInput:
    """Everything a user can edit on a customer. Enums are the stored choices, not labels."""

    code: str
    kind: CustomerKind = CustomerKind.PERSON
    name: str
    tax_id: str = ""
    email: str = ""
    phone: str = ""
    mobile: str = ""
    address: str = ""
    postal_code: str = ""
    city: str = ""
    province: str = ""
    country: str = "ES"
    preferred_channel: ContactChannel = ContactChannel.PHONE
    language: str = "es"
    rep_id: int | None = None
    notes: str = ""
    contact_consent: bool = False
    consent_date: dt.date | None = None
    need_tags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CustomerRow:
    """One line of the customer list."""

    id: int
    code: str
    name: str
    kind: CustomerKind
    tax_id: str
    email: str
    phone: str
    city: str
    rep_name: str
    segment: Segment | None
    archived: bool
    rep_id: int | None = None  # whose customer it is (a rep changes only theirs)


@dataclass(frozen=True)
class CustomerDetail:
    """One customer with every stored field, ready to show or to edit."""

    id: int
    code: str
    kind: CustomerKind
    name: str
    tax_id: str
    email: str
    phone: str
    mobile: str
    address: str
    postal_code: str
    city: str
    province: str
    country: str
    preferred_channel: ContactChannel
    language: str
    rep_id: int | None
    rep_name: str
    notes: str
    contact_consent: bool
    consent_date: dt.date | None
    need_tags: list[str]
    segment: Segment | None
    segment_computed_on: dt.date | None
    archived: bool
    created_at: dt.datetime
    row_version: int = 1  # what an edit started from this detail passes as expected_version

    def to_input(self) -> CustomerInput:
        """The editable part, for the edit dialog."""
        return CustomerInput(
            code=self.code,
            kind=self.kind,
            name=self.name,
            tax_id=self.tax_id,
            email=self.email,
            phone=self.phone,
            mobile=self.mobile,
            address=self.address,
            postal_code=self.postal_code,
            city=self.city,
            province=self.province,
            country=self.country,
            preferred_channel=self.preferred_channel,
            language=self.language,
            rep_id=self.rep_id,
            notes=self.notes,
            contact_consent=self.contact_consent,
            consent_date=self.consent_date,
            need_tags=list(self.need_tags),
        )


# ---------------------------------------------------------------------------
# Validation

_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_./-]{0,19}$")
_PHONE_CHARS_RE = re.compile(r"^[0-9 +\-().]+$")
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_MAX_LENGTHS = {
    name: max_length(getattr(Customer, name))
    for name in ("name", "email", "phone", "mobile", "address", "postal_code", "city", "province")
}
_NEED_TAG_MAX = max_length(NeedTag.name)

# Spanish tax ids (NIF): DNI and K/L/M use the modulo-23 letter; NIE maps X/Y/Z to 0/1/2 first;
# a CIF (companies) ends in a digit or letter computed from its seven digits.
_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
_DNI_RE = re.compile(r"^(\d{8})([A-Z])$")
_NIE_RE = re.compile(r"^([XYZ])(\d{7})([A-Z])$")
_KLM_RE = re.compile(r"^([KLM])(\d{7})([A-Z])$")
_CIF_RE = re.compile(r"^([ABCDEFGHJNPQRSUVW])(\d{7})([0-9A-J])$")


def normalise_tax_id(value: str) -> str:
    """Upper case without spaces, dots or hyphens: 'b-12.345.678' → 'B12345678'."""
    return re.sub(r"[\s.\-]", "", value or "").upper()


def spanish_tax_id_is_valid(tax_id: str) -> bool:
    """True for a well-formed NIF (DNI), NIE, K/L/M NIF or CIF with the right check character."""
    value = normalise_tax_id(tax_id)
    if match := _DNI_RE.match(value):
        return _DNI_LETTERS[int(match[1]) % 23] == match[2]
    if match := _NIE_RE.match(value):
        number = "XYZ".index(match[1]) * 10_000_000 + int(match[2])
        return _DNI_LETTERS[number % 23] == match[3]
    if match := _KLM_RE.match(value):
        return _DNI_LETTERS[int(match[2]) % 23] == match[3]
    if match := _CIF_RE.match(value):
        digits = match[2]
        total = sum(int(d) for d in digits[1::2])
        for d in digits[0::2]:
            total += sum(divmod(int(d) * 2, 10))
        check = (10 - total % 10) % 10
        return match[3] in (str(check), "JABCDEFGHI"[check])
    return False


def phone_digit_count(phone: str) -> int:
    return sum(map(str.isdigit, phone))


def _clean(data: CustomerInput) -> CustomerInput:
    tags: list[str] = []
    seen: set[str] = set()
    for tag in data.need_tags or []:
        tag = " ".join(clean_text(tag).split())
        if tag and fold_key(tag) not in seen:
            seen.add(fold_key(tag))
            tags.append(tag)
    return replace(
        data,
        code=clean_text(data.code).upper(),
        name=" ".join(clean_text(data.name).split()),
        tax_id=normalise_tax_id(clean_text(data.tax_id)),
        email=clean_text(data.email),
        phone=clean_text(data.phone),
        mobile=clean_text(data.mobile),
        address=clean_text(data.address),
        postal_code=clean_text(data.postal_code).upper(),
        city=clean_text(data.city),
        province=clean_text(data.province),
        country=clean_text(data.country).upper(),
        language=clean_text(data.language).lower(),
        notes=clean_text(data.notes),
        consent_date=data.consent_date if data.contact_consent else None,
        need_tags=tags,
    )


# Postcodes by country: the pattern and an example shown when one does not fit. Spain has its
# own rule and message (five digits, the first two a province from 01 to 52).
_SPANISH_POSTCODE_RE = re.compile(r"^(0[1-9]|[1-4][0-9]|5[0-2])[0-9]{3}$")
_POSTCODES = {
    "PT": (re.compile(r"^[0-9]{4}-[0-9]{3}$"), "1000-001"),
    "FR": (re.compile(r"^[0-9]{5}$"), "75001"),
    "IT": (re.compile(r"^[0-9]{5}$"), "00118"),
    "DE": (re.compile(r"^[0-9]{5}$"), "10115"),
    "AD": (re.compile(r"^AD[1-7]00$"), "AD500"),
}
_OTHER_POSTCODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9 -]{1,9}$")


def postcode_error(postcode: str, country: str) -> str | None:
    """Why `postcode` is not one of `country` (ISO two letters), or None when it fits."""
    if country == "ES":
        if _SPANISH_POSTCODE_RE.match(postcode):
            return None
        return _(
            "A Spanish postcode has 5 digits and starts with a province number from 01 to 52, like 28013."
        )
    if country in _POSTCODES:
        pattern, sample = _POSTCODES[country]
        if pattern.match(postcode):
            return None
        return _("A postcode of {country} looks like {example}.").format(country=country, example=sample)
    if _OTHER_POSTCODE_RE.match(postcode):
        return None
    return _("A postcode has letters, digits, spaces or hyphens (at most 10).")


class CustomerLookups:
    """What validating a customer asks about other records; the database answers.

    The import answers from the codes and tax ids it holds in memory instead (its subclass): these
    case-insensitive comparisons cannot use the indexes, so asked once per row of a big file they
    would read the whole table each time.
    """

    def code_taken(self, code: str, customer_id: int | None) -> bool:
        return _others(customer_id).where(fn.UPPER(Customer.code) == code).exists()

    def tax_id_taken(self, tax_id: str, customer_id: int | None) -> bool:
        return _others(customer_id).where(fn.UPPER(Customer.tax_id) == tax_id).exists()

    def rep_exists(self, rep_id: int) -> bool:
        return Rep.select().where(Rep.id == rep_id).exists()


_DATABASE_LOOKUPS = CustomerLookups()


def validate_customer(
    data: CustomerInput,
    customer_id: int | None = None,
    *,
    today: dt.date | None = None,
    lookups: CustomerLookups | None = None,
) -> CustomerInput:
    """Check `data` and return it tidied (trimmed, codes upper case).

    Raises ValidationError mapping each refused field to a message for the user.
    `customer_id` is the customer being edited, so its own code and tax id do not clash.
    """
    today = today or dt.date.today()
    lookups = lookups or _DATABASE_LOOKUPS
    data = _clean(data)
    errors: dict[str, str] = {}

    if not data.code:
        errors["code"] = _("The code is required.")
    elif not _CODE_RE.match(data.code):
        errors["code"] = _(
            "The code may have up to 20 letters, digits, '.', '/', '-' or '_', without spaces."
        )
    elif lookups.code_taken(data.code, customer_id):
        errors["code"] = _("Another customer already has the code {code}.").format(code=data.code)

    if not data.name:
        errors["name"] = _("The name is required.")
    if not isinstance(data.kind, CustomerKind) and data.kind not in {k.value for k in CustomerKind}:
        errors["kind"] = _("Choose whether the customer is a person or a company.")
    if not isinstance(data.preferred_channel, ContactChannel) and data.preferred_channel not in {
        c.value for c in ContactChannel
    }:
        errors["preferred_channel"] = _("Choose the preferred channel.")

    for name, limit in _MAX_LENGTHS.items():
        if name not in errors and len(getattr(data, name)) > limit:
            errors[name] = _("Too long: at most {limit} characters.").format(limit=limit)

    if data.email and "email" not in errors and not is_email(data.email):
        errors["email"] = _("This is not a valid e-mail address (like name@example.com).")

    for name in ("phone", "mobile"):
        value = getattr(data, name)
        if value and name not in errors:
            if not _PHONE_CHARS_RE.match(value):
                errors[name] = _("A phone number may only have digits, spaces, '+', '-', '.' and brackets.")
            elif not 9 <= phone_digit_count(value) <= 15:
                errors[name] = _("A phone number has between 9 and 15 digits.")

    if not _COUNTRY_RE.match(data.country):
        errors["country"] = _("The country is a two-letter code such as ES, PT or FR.")
    elif data.postal_code and "postal_code" not in errors:
        if problem := postcode_error(data.postal_code, data.country):
            errors["postal_code"] = problem

    if data.tax_id:
        if len(data.tax_id) > max_length(Customer.tax_id) or not data.tax_id.isalnum():
            errors["tax_id"] = _("The tax ID may only have letters and digits (at most 20).")
        elif data.country == "ES" and not spanish_tax_id_is_valid(data.tax_id):
            errors["tax_id"] = _(
                "This is not a valid Spanish NIF, NIE or CIF: check the digits and the control letter."
            )
        elif lookups.tax_id_taken(data.tax_id, customer_id):
            errors["tax_id"] = _("Another customer already has the tax ID {tax_id}.").format(
                tax_id=data.tax_id
            )

    if data.language not in LANGUAGES:
        errors["language"] = _("Choose Spanish or English.")

    if data.rep_id is not None and not lookups.rep_exists(data.rep_id):
        errors["rep_id"] = _("The chosen rep no longer exists.")

    if data.contact_consent:
        if data.consent_date is None:
            errors["consent_date"] = _("Enter the date the customer gave consent.")
        elif data.consent_date > today:
            errors["consent_date"] = _("The consent date cannot be in the future.")
        elif problem := date_error(data.consent_date, today):
            errors["consent_date"] = problem

    long_tags = [t for t in data.need_tags if len(t) > _NEED_TAG_MAX]
    if long_tags:
        errors["need_tags"] = _("A need tag has at most {limit} characters.").format(limit=_NEED_TAG_MAX)

    if errors:
        raise ValidationError(errors)
    return data


def _others(customer_id: int | None):
    query = Customer.select(Customer.id)
    if customer_id is not None:
        query = query.where(Customer.id != customer_id)
    return query


# ---------------------------------------------------------------------------
# Commands

# The customer's details written as free text (the dialog's line edits, an import's text cells).
TEXT_FIELDS = (
    "name",
    "tax_id",
    "email",
    "phone",
    "mobile",
    "address",
    "postal_code",
    "city",
    "province",
    "notes",
)
_STORED_FIELDS = (
    "code",
    "kind",
    "name",
    "tax_id",
    "email",
    "phone",
    "mobile",
    "address",
    "postal_code",
    "city",
    "province",
    "country",
    "preferred_channel",
    "language",
    "notes",
    "contact_consent",
    "consent_date",
)


def _store(customer: Customer, data: CustomerInput) -> dict[str, object]:
    """Copy `data` onto the model; return the fields whose value changed."""
    changes: dict[str, object] = {}
    for name in _STORED_FIELDS:
        value = getattr(data, name)
        if name == "tax_id":
            value = value or None
        if getattr(customer, name) != value:
            changes[name] = value
            setattr(customer, name, value)
    if customer.rep_id != data.rep_id:
        changes["rep_id"] = data.rep_id
        customer.rep = data.rep_id
    return changes


def _created_values(customer: Customer) -> dict[str, object]:
    """A new customer's fields as the audit records them (the defaults it was given left out)."""
    values: dict[str, object] = {name: getattr(customer, name) for name in _STORED_FIELDS}
    values["rep"] = customer.rep_id
    values["contact_consent"] = customer.contact_consent or None
    return values


def _set_need_tags(customer_id: int, tags: list[str]) -> bool:
    """Make the customer's tags exactly `tags`, creating new tags; True when something changed."""
    current = set(_need_tags_of(customer_id))
    if current == set(tags):
        return False
    CustomerNeedTag.delete().where(CustomerNeedTag.customer == customer_id).execute()
    for name in tags:
        tag = NeedTag.get_or_none(NeedTag.key == fold_key(name))
        if tag is None:
            tag = NeedTag.create(name=name)
        CustomerNeedTag.create(customer=customer_id, tag=tag)
    return True


def _need_tags_of(customer_id: int) -> list[str]:
    query = (
        NeedTag.select(NeedTag.name)
        .join(CustomerNeedTag)
        .where(CustomerNeedTag.customer == customer_id)
        .order_by(NeedTag.name)
    )
    return [t.name for t in query]


def _save_or_explain(customer: Customer) -> None:
    try:
        with write_transaction():
            customer.save()
    except IntegrityError as exc:  # someone else saved the same code or tax id meanwhile
        raise DomainError(
            _("The customer could not be saved because its code or tax ID is already in use.")
        ) from exc


@write_command
def create_customer(data: CustomerInput, acting_rep_id: int | None) -> int:
    """Validate and store a new customer; returns its id."""
    data = validate_customer(data)
    with write_transaction():
        customer = Customer()
        _store(customer, data)
        _save_or_explain(customer)
        _set_need_tags(customer.id, data.need_tags)
        audit.record(
            "create",
            "customer",
            customer.id,
            acting_rep_id,
            label=customer.code,
            need_tags=sorted(data.need_tags),
            **_created_values(customer),
        )
    return customer.id


@write_command
def create_validated_customers(rows: Sequence[CustomerInput], acting_rep_id: int | None) -> list[int]:
    """Store many new customers at once (the import); returns their ids in order.

    Each row is as `validate_customer` returned it, its code and tax ID checked free by the caller
    (which holds them all: the import). One prepared INSERT for all instead of a command per
    customer: a 100,000-row file goes in in seconds. Audited like `create_customer`.
    """
    if not rows:
        return []
    with write_transaction():
        customers = []
        for data in rows:
            customer = Customer()
            _store(customer, data)
            customer.search_text = customer_search_text(
                customer.code,
                customer.name,
                customer.tax_id,
                customer.email,
                customer.phone,
                customer.mobile,
                customer.city,
            )
            customer.sort_key = sort_key(customer.name)
            customers.append(customer)
        with customers_inserted_in_bulk():  # the search index fed once, not per row
            ids = insert_keyed_rows(Customer, customers, Customer.code)
        for customer_id, data in zip(ids, rows, strict=True):
            if data.need_tags:
                _set_need_tags(customer_id, data.need_tags)
        insert_rows(
            AuditEntry,
            [
                audit.entry(
                    "create",
                    "customer",
                    customer_id,
                    acting_rep_id,
                    label=customer.code,
                    record_uid=customer.uid,  # known: not read back one customer at a time
                    need_tags=sorted(data.need_tags),
                    **_created_values(customer),
                )
                for customer_id, customer, data in zip(ids, customers, rows, strict=True)
            ],
        )
    return ids


@write_command
def update_customer(
    customer_id: int,
    data: CustomerInput,
    acting_rep_id: int | None,
    *,
    expected_version: int | None = None,
    lookups: CustomerLookups | None = None,
    audit_action: str = "update",
) -> None:
    """Validate and store the edited fields of an existing customer.

    `expected_version` is the row version the edit started from (CustomerDetail.row_version): when
    someone saved the customer meanwhile, ConcurrentEditError carries the customer as it is now.
    `lookups` answers validation's questions about other customers (see CustomerLookups).
    `audit_action`: "undo" or "redo" when app.services.undo puts an edit back.
    """
    customer = _get(customer_id)
    check_version(customer, expected_version, lambda: get_customer(customer_id))
    data = validate_customer(data, customer_id, lookups=lookups)
    with write_transaction():
        _store(customer, data)
        changes = audit.pending_changes(customer)
        tags_before = _need_tags_of(customer_id)
        if _set_need_tags(customer_id, data.need_tags):
            changes["need_tags"] = (tags_before, sorted(data.need_tags))
            customer.updated_at = now_on_the_wall()  # the tags alone are an edit too: a new row version
        if changes:
            _save_or_explain(customer)
            audit.record(
                audit_action, "customer", customer_id, acting_rep_id, label=customer.code, changes=changes
            )


@write_command
def archive_customer(customer_id: int, acting_rep_id: int | None) -> None:
    """Hide a customer from the list; history stays. Archiving an archived customer does nothing."""
    _set_archived(customer_id, True, acting_rep_id)


@write_command
def restore_customer(customer_id: int, acting_rep_id: int | None) -> None:
    """Bring an archived customer back to the list."""
    _set_archived(customer_id, False, acting_rep_id)


@write_command
def reassign_customer(
    customer_id: int,
    rep_id: int | None,
    acting_rep_id: int | None,
    *,
    permissions: Permissions = UNRESTRICTED,
    expected_version: int | None = None,
) -> bool:
    """Make `rep_id` (None: nobody) the customer's rep; audited as a reassignment. False when it
    already was. Only a manager assigns customers (R5): `permissions` are who asks (the office
    server refuses the rest itself); the new rep must be an active one."""
    refusal = permissions.refusal(Right.CUSTOMER_ASSIGNMENT)
    if refusal is not None:
        raise DomainError(refusal)
    with write_transaction():
        customer = _get(customer_id)
        check_version(customer, expected_version, lambda: get_customer(customer_id))
        if customer.rep_id == rep_id:
            return False
        if rep_id is not None:
            rep = Rep.get_or_none(Rep.id == rep_id)
            if rep is None or not rep.active:
                raise DomainError(_("Choose an active rep for the customer."))
        old = customer.rep_id
        customer.rep = rep_id
        customer.save()
        audit.record(
            "reassign",
            "customer",
            customer_id,
            acting_rep_id,
            label=customer.code,
            changes={"rep": (old, rep_id)},
        )
    return True


def _set_archived(customer_id: int, archived: bool, acting_rep_id: int | None) -> None:
    with write_transaction():
        customer = _get(customer_id)
        if customer.archived == archived:
            return
        customer.archived = archived
        customer.save()
        audit.record(
            "archive" if archived else "restore",
            "customer",
            customer_id,
            acting_rep_id,
            label=customer.code,
            changes={"archived": (not archived, archived)},
        )


def _get(customer_id: int) -> Customer:
    customer = Customer.get_or_none(Customer.id == customer_id)
    if customer is None:
        raise NotFoundError(_("The customer no longer exists."))
    return customer


CUSTOMER_CODE_PREFIX, CUSTOMER_CODE_WIDTH = "C-", 5


def customer_code_series() -> tuple[str, int]:
    """(prefix, next number) of the codes suggested for new customers: C-00001 onwards, after the
    highest there is. On a laptop they are provisional, C-L03-00001 onwards (the office's codes are
    not all on it, so its own guess would often be taken there): the office replaces such a code with
    its next one when the laptop syncs (app.sync.engine)."""
    label = provisional_label()
    prefix = CUSTOMER_CODE_PREFIX if label is None else f"{CUSTOMER_CODE_PREFIX}{label}-"
    return prefix, _highest_code_number(prefix) + 1


def next_customer_code() -> str:
    """A suggestion for a new customer's code (customer_code_series)."""
    prefix, number = customer_code_series()
    return f"{prefix}{number:0{CUSTOMER_CODE_WIDTH}d}"


def _highest_code_number(prefix: str) -> int:
    """The highest NNNNN of the codes `prefix`NNNNN (0 when there is none)."""
    query = (
        Customer.select(Customer.code)
        .where(Customer.code.startswith(prefix))
        .order_by(fn.LENGTH(Customer.code).desc(), Customer.code.desc())
        .limit(20)
    )
    for (code,) in query.tuples():
        suffix = code[len(prefix) :]
        if suffix.isdigit():
            return int(suffix)
    return 0


def list_need_tags() -> list[str]:
    return [t.name for t in NeedTag.select(NeedTag.name).order_by(NeedTag.name)]


# ---------------------------------------------------------------------------
# The customer list

SORT_KEYS = ("code", "name", "city", "segment", "rep")


def _search_conditions(
    text: str,
    include_archived: bool,
    rep_id: int | None,
    need_tag: str | None = None,
    segment: Segment | None = None,
) -> list:
    conditions = []
    if need_tag:
        tagged = (
            CustomerNeedTag.select(CustomerNeedTag.customer)
            .join(NeedTag)
            .where(NeedTag.key == fold_key(need_tag.strip()))
        )
        conditions.append(Customer.id.in_(tagged))
    if segment is not None:
        conditions.append(Customer.segment == segment)
    terms = fold_for_search(text).split()
    if not include_archived:
        # With words to match, "NOT archived" keeps SQLite off the (archived, name) index: the
        # trigram index's rows (or, for short words only, a plain table scan) drive the query,
        # not a walk of every name looking each row up, several times slower on 100k customers.
        # Without words that index serves the list ordered by name and stops after one batch.
        conditions.append(~Customer.archived if terms else Customer.archived == False)  # noqa: E712
    if rep_id is not None:
        conditions.append(Customer.rep == rep_id)
    indexed = []  # each word of TRIGRAM characters or more, with its other spelling
    for term in terms:
        spellings = [term]
        digits = re.sub(r"\D", "", term)
        # "600-12-34-56" also finds "600123456": search_text keeps phones digits-only too.
        if digits != term and len(digits) >= 3 and _PHONE_CHARS_RE.match(term):
            spellings.append(digits)
        condition = contains_folded(Customer.search_text, spellings[0])
        for other in spellings[1:]:
            condition = condition | contains_folded(Customer.search_text, other)
        conditions.append(condition)
        if all(len(spelling) >= TRIGRAM for spelling in spellings):
            indexed.append(spellings)
    # A keystroke costs the same on 1,000 or 1,000,000 customers: the trigram index finds the
    # rows holding the words, the LIKEs above (what decides) read only those. Words of one or two
    # characters have no trigram: alone, they are a scan.
    candidates = customer_search_candidates(Customer.id, indexed)
    if candidates is not None:
        conditions.append(candidates)
    return conditions


def _where(query, conditions: list):
    for condition in conditions:
        query = query.where(condition)
    return query


def search_customers(
    text: str = "",
    *,
    include_archived: bool = False,
    rep_id: int | None = None,
    need_tag: str | None = None,
    segment: Segment | None = None,
    order_by: str = "name",
    descending: bool = False,
    offset: int = 0,
    limit: int = 100,
) -> list[CustomerRow]:
    """One batch of the customer list: every word of `text` must appear (accents ignored)."""
    if order_by not in SORT_KEYS:
        raise ValueError(f"Unknown sort key {order_by!r}; use one of {', '.join(SORT_KEYS)}")
    key = {
        "code": Customer.code,
        "name": Customer.sort_key,  # the collation order ("Álvaro" before "Sergio"), indexed
        "city": Customer.city,
        "segment": Customer.segment,
        "rep": Rep.name,
    }[order_by]
    # Customers without a segment or a rep go last in both directions.
    nulls = "LAST" if order_by in ("segment", "rep") else None
    ordering = key.desc(nulls=nulls) if descending else key.asc(nulls=nulls)
    tie_break = Customer.id.desc() if descending else Customer.id.asc()
    query = (
        Customer.select(
            Customer.id,
            Customer.code,
            Customer.name,
            Customer.kind,
            Customer.tax_id,
            Customer.email,
            Customer.phone,
            Customer.city,
            Customer.rep,
            Rep.name.alias("rep_name"),
            Customer.segment,
            Customer.archived,
        )
        .join(Rep, JOIN.LEFT_OUTER, on=(Customer.rep == Rep.id))
        .order_by(ordering, tie_break)
        .offset(offset)
        .limit(limit)
    )
    query = _where(query, _search_conditions(text, include_archived, rep_id, need_tag, segment))
    walk = None  # the list's order without the words, for PostgreSQL's bounded walk
    if fold_for_search(text).split() and order_by in ("name", "code"):  # indexed keys, never NULL
        walk = _where(Customer.select(key), _search_conditions("", include_archived, rep_id))
        walk = walk.order_by(ordering)
    return [
        CustomerRow(
            id=row.id,
            code=row.code,
            name=row.name,
            kind=row.kind,
            tax_id=row.tax_id or "",
            email=row.email,
            phone=row.phone,
            city=row.city,
            rep_name=row.rep_name or "",
            segment=row.segment,
            archived=row.archived,
            rep_id=row.rep_id,
        )
        for row in rows_of_ordered_search(query, limit, key, walk, descending)
    ]


def count_customers(
    text: str = "",
    *,
    include_archived: bool = False,
    rep_id: int | None = None,
    need_tag: str | None = None,
    segment: Segment | None = None,
) -> int:
    """How many customers `search_customers` would list with the same filter."""
    query = _where(Customer.select(), _search_conditions(text, include_archived, rep_id, need_tag, segment))
    return query.count()


def get_customer(customer_id: int) -> CustomerDetail:
    found = get_customers([customer_id])
    if not found:
        raise NotFoundError(_("The customer no longer exists."))
    return found[customer_id]


def get_customers(customer_ids: Sequence[int]) -> dict[int, CustomerDetail]:
    """The customers of `customer_ids` that exist, by id: two queries however many (the import
    compares a batch of rows with the customers they match)."""
    details: dict[int, CustomerDetail] = {}
    ids = list(dict.fromkeys(customer_ids))
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        tags: dict[int, list[str]] = {customer_id: [] for customer_id in batch}
        tag_query = (
            CustomerNeedTag.select(CustomerNeedTag.customer, NeedTag.name)
            .join(NeedTag)
            .where(CustomerNeedTag.customer.in_(batch))
            .order_by(NeedTag.name)
        )
        for customer_id, name in tag_query.tuples():
            tags[customer_id].append(name)
        query = (
            Customer.select(Customer, Rep.name.alias("rep_name"))
            .join(Rep, JOIN.LEFT_OUTER, on=(Customer.rep == Rep.id))
            .where(Customer.id.in_(batch))
            .objects()
        )
        for row in query:
            details[row.id] = CustomerDetail(
                id=row.id,
                code=row.code,
                kind=row.kind,
                name=row.name,
                tax_id=row.tax_id or "",
                email=row.email,
                phone=row.phone,
                mobile=row.mobile,
                address=row.address,
                postal_code=row.postal_code,
                city=row.city,
                province=row.province,
                country=row.country,
                preferred_channel=row.preferred_channel,
                language=row.language,
                rep_id=row.rep_id,
                rep_name=row.rep_name or "",
                notes=row.notes,
                contact_consent=row.contact_consent,
                consent_date=row.consent_date,
                need_tags=tags[row.id],
                segment=row.segment,
                segment_computed_on=row.segment_computed_on,
                archived=row.archived,
                created_at=row.created_at,
                row_version=row.row_version,
            )
    return details


# ---------------------------------------------------------------------------
# The 360° view


@dataclass(frozen=True)
class SaleSummary:
    id: int
    number: str
    sold_on: dt.date
    delivered_on: dt.date | None
    rep_name: str
    lines: int
    total: Decimal
    rep_id: int | None = None  # with the customer's rep, who may change the sale


@dataclass(frozen=True)
class SoldUnitRow:
    id: int
    sale_number: str
    product_name: str
    sku: str
    serial_number: str
    quantity: int
    delivered_on: dt.date | None
    warranty_ends_on: dt.date | None
    warranty: WarrantyStatus | None  # None until delivered
    status: UnitStatus


@dataclass(frozen=True)
class FollowUpSummary:
    id: int
    scheduled_at: dt.datetime
    kind: FollowUpKind
    purpose: FollowUpPurpose
    state: FollowUpState
    outcome: FollowUpOutcome | None
    rep_name: str
    notes: str
    overdue: bool


@dataclass(frozen=True)
class UsageCheckSummary:
    id: int
    started_at: dt.datetime
    completed_at: dt.datetime | None
    checklist: str
    product_name: str
    serial_number: str
    status: CheckStatus
    score: float | None
    passed: bool | None


@dataclass(frozen=True)
class ReturnSummary:
    id: int
    number: str
    reported_on: dt.date
    product_name: str
    serial_number: str
    reason: ReturnReason
    state: ReturnState
    under_warranty: bool
    closed_on: dt.date | None


@dataclass(frozen=True)
class CaseSummary:
    id: int
    number: str
    kind: CaseKind
    stage: CaseStage
    category: CaseCategory | None
    received_on: dt.date
    closed_on: dt.date | None


@dataclass(frozen=True)
class SurveySummary:
    id: int
    taken_on: dt.date
    satisfaction: int | None
    recommend: int | None
    cause: DissatisfactionCause | None
    comment: str


@dataclass(frozen=True)
class Customer360:
    detail: CustomerDetail
    today: dt.date
    revenue: Decimal  # customer value: every sale's lines, quantity × unit price
    sales: list[SaleSummary]
    units: list[SoldUnitRow]
    follow_ups: list[FollowUpSummary]
    usage_checks: list[UsageCheckSummary]
    returns: list[ReturnSummary]
    cases: list[CaseSummary]
    surveys: list[SurveySummary]
    average_satisfaction: float | None
    erased: bool = False  # the customer's personal data was erased (issue 18)

    @property
    def units_under_warranty(self) -> int:
        return sum(1 for u in self.units if u.warranty is not None and u.warranty.under_warranty)

    @property
    def planned_follow_ups(self) -> int:
        return sum(1 for f in self.follow_ups if f.state is FollowUpState.PLANNED)

    @property
    def overdue_follow_ups(self) -> int:
        return sum(1 for f in self.follow_ups if f.overdue)

    @property
    def open_cases(self) -> int:
        return sum(1 for c in self.cases if c.closed_on is None and c.stage is not CaseStage.CLOSED)

    @property
    def open_returns(self) -> int:
        return sum(1 for r in self.returns if r.state not in _FINISHED_RETURN_STATES)


_FINISHED_RETURN_STATES = frozenset({ReturnState.CLOSED, ReturnState.CANCELLED})
_CENT = Decimal("0.01")


def _money(value) -> Decimal:
    """An SQL sum (a float or int on SQLite) as a Decimal of cents."""
    if value is None:
        return Decimal("0.00")
    return Decimal(str(value)).quantize(_CENT)


def customer_360(customer_id: int, today: dt.date) -> Customer360:
    """Everything known about one customer, for the 360° view."""
    detail = get_customer(customer_id)
    line_total = SaleLine.quantity * SaleLine.unit_price

    revenue = SaleLine.select(fn.SUM(line_total)).join(Sale).where(Sale.customer == customer_id).scalar()

    sales_query = (
        Sale.select(
            Sale.id,
            Sale.number,
            Sale.sold_on,
            Sale.delivered_on,
            Sale.rep,
            Rep.name.alias("rep_name"),
            fn.COUNT(SaleLine.id).alias("line_count"),
            fn.SUM(line_total).alias("total"),
        )
        .join(SaleLine, JOIN.LEFT_OUTER, on=(SaleLine.sale == Sale.id))
        .join_from(Sale, Rep, JOIN.LEFT_OUTER, on=(Sale.rep == Rep.id))
        .where(Sale.customer == customer_id)
        .group_by(Sale.id, Sale.number, Sale.sold_on, Sale.delivered_on, Sale.rep, Rep.name)
        .order_by(Sale.sold_on.desc(), Sale.id.desc())
    )
    sales = [
        SaleSummary(
            s.id,
            s.number,
            s.sold_on,
            s.delivered_on,
            s.rep_name or "",
            s.line_count,
            _money(s.total),
            rep_id=s.rep_id,
        )
        for s in sales_query.objects()
    ]

    units_query = (
        SoldUnit.select(
            SoldUnit.id,
            SoldUnit.serial_number,
            SoldUnit.quantity,
            SoldUnit.warranty_ends_on,
            SoldUnit.status,
            Product.name.alias("product_name"),
            Product.sku,
            Sale.number.alias("sale_number"),
            Sale.delivered_on,
        )
        .join(Product, on=(SoldUnit.product == Product.id))
        .join_from(SoldUnit, SaleLine, on=(SoldUnit.line == SaleLine.id))
        .join(Sale, on=(SaleLine.sale == Sale.id))
        .where(SoldUnit.customer == customer_id)
        .order_by(Sale.sold_on.desc(), SoldUnit.id)
    )
    units = [
        SoldUnitRow(
            u.id,
            u.sale_number,
            u.product_name,
            u.sku,
            u.serial_number or "",
            u.quantity,
            u.delivered_on,
            u.warranty_ends_on,
            WarrantyStatus.on(u.warranty_ends_on, today),
            u.status,
        )
        for u in units_query.objects()
    ]

    follow_query = (
        FollowUp.select(FollowUp, Rep.name.alias("rep_name"))
        .join(Rep, JOIN.LEFT_OUTER, on=(FollowUp.rep == Rep.id))
        .where(FollowUp.customer == customer_id)
        .order_by(FollowUp.scheduled_at.desc(), FollowUp.id.desc())
    )
    follow_ups = [
        FollowUpSummary(
            f.id,
            f.scheduled_at,
            f.kind,
            f.purpose,
            f.state,
            f.outcome,
            f.rep_name or "",
            f.notes,
            f.state is FollowUpState.PLANNED and f.scheduled_at.date() < today,
        )
        for f in follow_query.objects()
    ]

    checks_query = (
        UsageCheck.select(
            UsageCheck.id,
            UsageCheck.started_at,
            UsageCheck.completed_at,
            UsageCheck.status,
            UsageCheck.score,
            UsageCheck.passed,
            CheckTemplate.name.alias("checklist"),
            Product.name.alias("product_name"),
            SoldUnit.serial_number,
        )
        .join(CheckTemplate, on=(UsageCheck.template == CheckTemplate.id))
        .join_from(UsageCheck, SoldUnit, on=(UsageCheck.sold_unit == SoldUnit.id))
        .join(Product, on=(SoldUnit.product == Product.id))
        .where(UsageCheck.customer == customer_id)
        .order_by(UsageCheck.started_at.desc(), UsageCheck.id.desc())
    )
    usage_checks = [
        UsageCheckSummary(
            c.id,
            c.started_at,
            c.completed_at,
            c.checklist,
            c.product_name,
            c.serial_number or "",
            c.status,
            c.score,
            c.passed,
        )
        for c in checks_query.objects()
    ]

    returns_query = (
        WarrantyReturn.select(
            WarrantyReturn.id,
            WarrantyReturn.number,
            WarrantyReturn.reported_on,
            WarrantyReturn.reason,
            WarrantyReturn.state,
            WarrantyReturn.under_warranty,
            WarrantyReturn.closed_on,
            Product.name.alias("product_name"),
            SoldUnit.serial_number,
        )
        .join(SoldUnit, on=(WarrantyReturn.sold_unit == SoldUnit.id))
        .join(Product, on=(SoldUnit.product == Product.id))
        .where(WarrantyReturn.customer == customer_id)
        .order_by(WarrantyReturn.reported_on.desc(), WarrantyReturn.id.desc())
    )
    returns = [
        ReturnSummary(
            r.id,
            r.number,
            r.reported_on,
            r.product_name,
            r.serial_number or "",
            r.reason,
            r.state,
            r.under_warranty,
            r.closed_on,
        )
        for r in returns_query.objects()
    ]

    cases_query = (
        Case.select(
            Case.id, Case.number, Case.kind, Case.stage, Case.category, Case.received_on, Case.closed_on
        )
        .where(Case.customer == customer_id)
        .order_by(Case.received_on.desc(), Case.id.desc())
    )
    cases = [
        CaseSummary(c.id, c.number, c.kind, c.stage, c.category, c.received_on, c.closed_on)
        for c in cases_query
    ]

    surveys_query = (
        SatisfactionSurvey.select()
        .where(SatisfactionSurvey.customer == customer_id)
        .order_by(SatisfactionSurvey.taken_on.desc(), SatisfactionSurvey.id.desc())
    )
    surveys = [
        SurveySummary(s.id, s.taken_on, s.satisfaction, s.recommend, s.cause, s.comment)
        for s in surveys_query
    ]
    average = (
        SatisfactionSurvey.select(fn.AVG(SatisfactionSurvey.satisfaction))
        .where(SatisfactionSurvey.customer == customer_id)
        .scalar()
    )

    return Customer360(
        detail=detail,
        today=today,
        revenue=_money(revenue),
        sales=sales,
        units=units,
        follow_ups=follow_ups,
        usage_checks=usage_checks,
        returns=returns,
        cases=cases,
        surveys=surveys,
        average_satisfaction=float(average) if average is not None else None,
        erased=CustomerErasure.select()
        .join(Customer, on=(CustomerErasure.customer_uid == Customer.uid))
        .where(Customer.id == customer_id)
        .exists(),
    )
