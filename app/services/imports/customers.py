"""Importing customers: each row matched to a customer or new, checked by the customers' own rules.

A row is matched by its code; a row whose code matches nothing (or that has none) by its tax ID (the
same company: the file's code then becomes the customer's); a row without a code by its e-mail, then
by its name and phone (accents, case and spaces ignored; the phone's last nine digits). A key more than
one customer has matches nothing. A row matching nothing is a new customer (a code is made for it
when the file has none). A matched customer takes the file's values for the columns the file has (a
blank cell empties the field, except the code, kind and country, which keep theirs); the others keep
theirs. Within the file, a row with the code or tax ID of an earlier row (or, without a code, its
e-mail or name and phone) is a duplicate: rejected, citing the earlier row.

New customers are written in batches (`customers.create_validated_customers`); their codes and tax IDs,
like every customer's, are held in memory, which answers the uniqueness questions of validation
(`CustomerLookups`) without reading the table once per row.
"""

from __future__ import annotations

import re
from dataclasses import replace

from app.i18n import _
from app.models import Customer, Rep
from app.models.customers import fold_for_search
from app.models.enums import CustomerKind
from app.services.customers import records
from app.services.customers.records import CustomerDetail, CustomerInput, CustomerLookups, normalise_tax_id
from app.services.errors import ValidationError
from app.services.imports.fields import ColumnMap
from app.services.imports.running import ImportOptions, ParsedRow, RowReasons, Tally
from app.services.imports.values import fold

# CustomerInput's field names are the import's, but for the rep (a code in the file, an id stored).
SERVICE_FIELDS = {name: name for name in ("code", "kind", "country", *records.TEXT_FIELDS)}
SERVICE_FIELDS["rep_id"] = "rep"
_BATCH = 500
_PLACEHOLDER = -1  # in the code and tax ID keys: a customer of this file not written yet
_PERSON_WORDS = {"persona", "particular", "fisica", "persona fisica", "person", "individual", "p", "f"}
_COMPANY_WORDS = {"empresa", "sociedad", "juridica", "persona juridica", "company", "business", "e", "j", "c"}
_COMPANY_TAX_ID_RE = re.compile(r"^[ABCDEFGHJNPQRSUVW]\d{7}[0-9A-J]$")  # a CIF: a company


def _name_phone_key(name: str, phone: str) -> str | None:
    digits = "".join(ch for ch in phone if ch.isdigit())[-9:] if phone else ""
    if not digits or not name:
        return None
    return " ".join(fold_for_search(name).split()) + "|" + digits


class _Keys(CustomerLookups):
    """Every customer's code and tax ID (upper case, as validation compares them), the reps by code,
    and — once a row without a code needs them — the e-mails and names with phones."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}
        self.tax_ids: dict[str, int] = {}
        for customer_id, code, tax_id in Customer.select(
            Customer.id, Customer.code, Customer.tax_id
        ).tuples():
            self.codes[code.upper()] = customer_id
            if tax_id:
                self.tax_ids[tax_id.upper()] = customer_id
        self.reps = {code.upper(): rep_id for rep_id, code in Rep.select(Rep.id, Rep.code).tuples()}
        self._emails: dict[str, list[int]] | None = None
        self._names: dict[str, list[int]] | None = None

    # CustomerLookups: answered from memory.
    def code_taken(self, code: str, customer_id: int | None) -> bool:
        return self.codes.get(code.upper(), customer_id) != customer_id

    def tax_id_taken(self, tax_id: str, customer_id: int | None) -> bool:
        return self.tax_ids.get(tax_id.upper(), customer_id) != customer_id

    def rep_exists(self, rep_id: int) -> bool:
        return rep_id in self.reps.values()

    def _contacts(self) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
        if self._emails is None or self._names is None:
            self._emails, self._names = {}, {}
            query = Customer.select(
                Customer.id, Customer.email, Customer.name, Customer.phone, Customer.mobile
            )
            for customer_id, email, name, phone, mobile in query.tuples():
                self._add_contacts(customer_id, email, name, phone, mobile)
        return self._emails, self._names

    def _add_contacts(self, customer_id: int, email: str, name: str, phone: str, mobile: str) -> None:
        assert self._emails is not None and self._names is not None
        if email:
            self._emails.setdefault(email.casefold(), []).append(customer_id)
        for number in {phone, mobile}:
            if key := _name_phone_key(name, number):
                self._names.setdefault(key, []).append(customer_id)

    def find(self, data: CustomerInput, has_code: bool) -> int | None:
        """The customer a row names (see the module's docstring), or None."""
        found = self.codes.get(data.code.upper()) if has_code else None
        if found is None and data.tax_id:
            found = self.tax_ids.get(normalise_tax_id(data.tax_id))
        if found is None and not has_code:
            emails, names = self._contacts()
            candidates = emails.get(data.email.casefold(), []) if data.email else []
            if not candidates:
                key = _name_phone_key(data.name, data.phone or data.mobile)
                candidates = names.get(key, []) if key else []
            found = candidates[0] if len(set(candidates)) == 1 else None
        return found if found is not None and found > 0 else None

    def forget(self, customer_id: int, before: CustomerInput) -> None:
        """Drop the keys a customer had before the file changed it."""
        self.codes.pop(before.code.upper(), None)
        if before.tax_id:
            self.tax_ids.pop(before.tax_id.upper(), None)
        if self._emails is None or self._names is None:
            return
        stale = [(self._emails, before.email.casefold())]
        stale += [
            (self._names, _name_phone_key(before.name, number)) for number in {before.phone, before.mobile}
        ]
        for index, key in stale:
            if key and customer_id in index.get(key, []):
                index[key].remove(customer_id)

    def remember(self, customer_id: int, data: CustomerInput) -> None:
        self.codes[data.code.upper()] = customer_id
        if data.tax_id:
            self.tax_ids[data.tax_id.upper()] = customer_id
        if self._emails is not None and customer_id > 0:
            self._add_contacts(customer_id, data.email, data.name, data.phone, data.mobile)


class CustomerImporter:
    def __init__(self, options: ImportOptions, columns: ColumnMap, reasons: RowReasons, tally: Tally):
        self._options = options
        self._reasons = reasons
        self._tally = tally
        self._keys = _Keys()
        self._seen: dict[str, int] = {}  # "code:…", "tax:…", "email:…", "name:…" → first row
        self._pending: list[tuple[ParsedRow, CustomerInput]] = []
        self._chunk: list[ParsedRow] = []
        self._details: dict[int, CustomerDetail] = {}  # the customers rows of the chunk match
        self._code_series: tuple[str, int] | None = None  # (prefix, next number) of generated codes

    def take(self, row: ParsedRow) -> None:
        # Rows go in chunks: the customers a chunk's rows match are read in one query, not one each.
        self._chunk.append(row)
        if len(self._chunk) >= _BATCH:
            self._take_chunk()

    def finish(self) -> None:
        self._take_chunk()
        self._flush()

    def _take_chunk(self) -> None:
        chunk = [(row, self._read(row)) for row in self._chunk]
        self._chunk = []
        ready = [read for _row, read in chunk if not isinstance(read, list)]
        matched = [self._keys.find(data, bool(data.code)) for data, _kind, _rep in ready]
        self._details = records.get_customers([customer_id for customer_id in matched if customer_id])
        for row, read in chunk:  # in file order: a row sees what the rows above it changed
            if isinstance(read, list):
                self._tally.rejected(row, read)
                continue
            data, kind, rep_id = read
            existing_id = self._keys.find(data, bool(data.code))
            if existing_id is None:
                self._create(row, data, kind, rep_id)
            else:
                self._update(row, existing_id, kind, rep_id)
        self._details = {}

    def _read(
        self, row: ParsedRow
    ) -> list[str] | tuple[CustomerInput, CustomerKind | None, int | None | bool]:
        """The row's customer, kind and rep as the file gives them, or the reasons it is rejected."""
        values = row.values
        problems = list(row.problems)
        code = str(values.get("code") or "").upper()
        data = CustomerInput(code=code, **_text_fields(values))  # type: ignore[arg-type]
        kind = self._kind(values, problems)
        rep_id = self._rep(values, problems)
        duplicate = self._duplicate(row, data, bool(code))
        if duplicate:
            return [*problems, duplicate]
        return problems or (data, kind, rep_id)

    # --- one row ---------------------------------------------------------------------------

    def _kind(self, values: dict[str, object], problems: list[str]) -> CustomerKind | None:
        text = values.get("kind")
        if not text:
            return None
        key = fold(str(text))
        if key in _PERSON_WORDS or key == CustomerKind.PERSON.value:
            return CustomerKind.PERSON
        if key in _COMPANY_WORDS or key == CustomerKind.COMPANY.value:
            return CustomerKind.COMPANY
        problems.append(self._reasons.about("kind", _("write person or company.")))
        return None

    def _rep(self, values: dict[str, object], problems: list[str]) -> int | None | bool:
        """The rep's id, None for no rep (a blank cell), False when the file has no rep column."""
        if "rep" not in values:
            return False
        code = values["rep"]
        if not code:
            return None
        rep_id = self._keys.reps.get(str(code).upper())
        if rep_id is None:
            problems.append(
                self._reasons.about("rep", _("there is no rep with the code {code}.").format(code=code))
            )
        return rep_id

    def _duplicate(self, row: ParsedRow, data: CustomerInput, has_code: bool) -> str | None:
        """Why the row repeats an earlier one of the file, or None; its keys are remembered."""
        keys = []
        if has_code:
            keys.append(("code", "code:" + data.code))
        if data.tax_id:
            keys.append(("tax_id", "tax:" + normalise_tax_id(data.tax_id)))
        contact = []
        if data.email:
            contact.append(("email", "email:" + data.email.casefold()))
        if name_key := _name_phone_key(data.name, data.phone or data.mobile):
            contact.append(("name", "name:" + name_key))
        checked = keys if has_code else keys + contact
        found = next(((name, self._seen[key]) for name, key in checked if key in self._seen), None)
        for _name, key in keys + contact:
            self._seen.setdefault(key, row.number)
        if found is None:
            return None
        name, first = found
        return self._reasons.about(
            name, _("the same as row {row}, which comes first; this row is left out.").format(row=first)
        )

    def _create(self, row: ParsedRow, data: CustomerInput, kind: CustomerKind | None, rep_id) -> None:
        if kind is None:
            tax_id = normalise_tax_id(data.tax_id)
            kind = CustomerKind.COMPANY if _COMPANY_TAX_ID_RE.match(tax_id) else CustomerKind.PERSON
        data = replace(data, code=data.code or self._generated_code(), kind=kind, rep_id=rep_id or None)
        try:
            data = records.validate_customer(data, today=self._options.today, lookups=self._keys)
        except ValidationError as error:
            self._tally.rejected(row, self._reasons.of_error(error))
            return
        self._keys.remember(_PLACEHOLDER, data)
        self._pending.append((row, data))
        self._tally.created(row)
        if len(self._pending) >= _BATCH:
            self._flush()

    def _update(self, row: ParsedRow, customer_id: int, kind: CustomerKind | None, rep_id) -> None:
        values = row.values
        detail = self._details.pop(customer_id, None) or records.get_customer(customer_id)
        before = detail.to_input()
        fields: dict[str, object] = dict(_text_fields(values))
        if values.get("code"):
            fields["code"] = str(values["code"])
        if kind is not None:
            fields["kind"] = kind
        if rep_id is not False:
            fields["rep_id"] = rep_id
        data = replace(before, **fields)  # type: ignore[arg-type]
        try:
            data = records.validate_customer(data, customer_id, today=self._options.today, lookups=self._keys)
        except ValidationError as error:
            self._tally.rejected(row, self._reasons.of_error(error))
            return
        if data == before:  # stored values are validated ones: nothing to change
            self._tally.unchanged(row)
            return
        records.update_customer(customer_id, data, self._options.acting_rep_id, lookups=self._keys)
        self._keys.forget(customer_id, before)
        self._keys.remember(customer_id, data)
        self._tally.updated(row)

    def _generated_code(self) -> str:
        """The codes the customer dialog suggests (records.customer_code_series), one after another;
        codes the file brings are skipped."""
        if self._code_series is None:
            self._code_series = records.customer_code_series()
        prefix, number = self._code_series
        while True:
            code = f"{prefix}{number:0{records.CUSTOMER_CODE_WIDTH}d}"
            number += 1
            if code not in self._keys.codes:
                self._code_series = (prefix, number)
                return code

    def _flush(self) -> None:
        if not self._pending:
            return
        rows = [data for _row, data in self._pending]
        ids = records.create_validated_customers(rows, self._options.acting_rep_id)
        for customer_id, data in zip(ids, rows, strict=True):
            self._keys.remember(customer_id, data)
        self._pending = []


def _text_fields(values: dict[str, object]) -> dict[str, str]:
    """A row's text fields as the customer takes them, the same for a new customer and an update
    (a re-import must compare like with like)."""
    fields = {name: str(values[name] or "") for name in records.TEXT_FIELDS if name in values}
    if values.get("country"):
        fields["country"] = str(values["country"]).upper()
    postcode = fields.get("postal_code", "")
    if len(postcode) == 4 and postcode.isdigit() and fields.get("country", "ES") == "ES":
        fields["postal_code"] = "0" + postcode  # a number cell lost the zero: 8001 is 08001
    return fields
