"""What an import can fill in, per kind, and how a file's columns are matched to it.

Each field has a name (what a mapping file uses: `{"Razón social": "name"}`), a label for people, the
type its cells are read as, and the header names it is recognised by in Spanish and English files
(compared with `values.header_key`: accents, case, dots and punctuation ignored, so 'N.I.F.', 'nif' and
'NIF' are one). A mapping file, JSON or TOML, names columns the automatic matching misses or gets
wrong; a column mapped to "" (or null) is left out.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum, StrEnum
from pathlib import Path

from app.i18n import N_, _
from app.outputs import write_output
from app.services.errors import DomainError
from app.services.imports.values import header_key

MAPPING_EXTENSION = ".json"


class ImportKind(StrEnum):
    CUSTOMERS = "customers"
    PRODUCTS = "products"
    SALES = "sales"


class ValueType(Enum):
    TEXT = "text"
    DATE = "date"
    DECIMAL = "decimal"
    INTEGER = "integer"
    YES_NO = "yes_no"


class MappingError(DomainError):
    """The mapping file cannot be used (unreadable, an unknown field, a column not in the file)."""


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str  # N_(): translated when shown
    type: ValueType
    headers: tuple[str, ...]  # recognised header names, already in header_key form
    required: bool = False

    @property
    def shown(self) -> str:
        return _(self.label)


def _field(
    name: str, label: str, headers: str, type_: ValueType = ValueType.TEXT, *, required: bool = False
) -> FieldSpec:
    """`headers` is one string of names separated by '|', written as people write them."""
    keys = tuple(dict.fromkeys(header_key(h) for h in [name, *headers.split("|")]))
    return FieldSpec(name, label, type_, keys, required)


_CUSTOMER_FIELDS = (
    _field(
        "code",
        N_("Customer code"),
        "código|codigo cliente|cód cliente|cod|cod cliente|código de cliente|nº cliente|n cliente|núm cliente|"
        "número de cliente|id cliente|cliente id|ref cliente|referencia cliente|cuenta|customer code|"
        "customer id|customer number|account|id",
    ),
    _field(
        "name",
        N_("Name"),
        "nombre|razón social|nombre fiscal|nombre cliente|nombre del cliente|nombre y apellidos|cliente|"
        "denominación|name|customer|customer name|company name|full name|legal name",
        required=True,
    ),
    _field(
        "kind", N_("Person or company"), "tipo|tipo cliente|tipo de cliente|persona|kind|type|customer type"
    ),
    _field(
        "tax_id",
        N_("Tax ID (NIF/NIE/CIF)"),
        "nif|cif|dni|nie|cif/nif|nif/cif|dni/nif|nif/nie|dni/nie|n.i.f.|c.i.f.|d.n.i.|nif-iva|nif iva|"
        "identificación fiscal|documento|tax id|vat|vat number|vat id|tax number",
    ),
    _field("email", N_("E-mail"), "e-mail|correo|correo electrónico|mail|email address|e-mail address"),
    _field(
        "phone",
        N_("Phone"),
        "teléfono|tel|tlf|tfno|telf|teléfono fijo|teléfono 1|telefono1|phone|telephone|phone number|landline",
    ),
    _field(
        "mobile", N_("Mobile"), "móvil|teléfono móvil|tlf móvil|celular|mobile|mobile phone|cell|cell phone"
    ),
    _field(
        "address", N_("Address"), "dirección|domicilio|calle|dirección postal|address|street|street address"
    ),
    _field(
        "postal_code",
        N_("Postcode"),
        "cp|c.p.|código postal|cod postal|cód. postal|c postal|postal code|postcode|zip|zip code",
    ),
    _field("city", N_("City"), "población|localidad|ciudad|municipio|city|town"),
    _field("province", N_("Province"), "provincia|province|state|region|county"),
    _field("country", N_("Country (ES, PT, FR…)"), "país|cod país|código país|country|country code"),
    _field(
        "rep",
        N_("Rep (code)"),
        "comercial|vendedor|agente|representante|cod comercial|rep|sales rep|salesperson",
    ),
    _field("notes", N_("Notes"), "notas|observaciones|comentarios|notes|comments|remarks"),
)

_PRODUCT_FIELDS = (
    _field(
        "sku",
        N_("Reference (SKU)"),
        "referencia|ref|código|codigo artículo|cód artículo|cod articulo|código de artículo|código producto|"
        "reference|product code|item code|code|sku",
        required=True,
    ),
    _field(
        "name",
        N_("Name"),
        "nombre|descripción|artículo|producto|nombre del producto|description|name|product|product name|item",
        required=True,
    ),
    _field(
        "category",
        N_("Category (code or name)"),
        "categoría|familia|grupo|sección|tipo de producto|category|family|product category|group",
        required=True,
    ),
    _field(
        "warranty_months",
        N_("Warranty (months)"),
        "garantía|garantía meses|garantía (meses)|meses garantía|meses de garantía|warranty|warranty months|"
        "warranty (months)",
        ValueType.INTEGER,
    ),
    _field(
        "price",
        N_("Price"),
        "precio|pvp|precio venta|precio de venta|tarifa|price|sale price|unit price",
        ValueType.DECIMAL,
    ),
    _field(
        "serialised",
        N_("With serial numbers (yes/no)"),
        "con número de serie|serializado|lleva número de serie|serialised|serialized|"
        "has serial number|serial numbers",
        ValueType.YES_NO,
    ),
    _field("active", N_("Active (yes/no)"), "activo|en venta|active|for sale", ValueType.YES_NO),
)

_SALE_FIELDS = (
    _field(
        "number",
        N_("Sale number"),
        "número|num|nº|n venta|nº venta|número venta|número de venta|número factura|nº factura|factura|"
        "n factura|albarán|nº albarán|pedido|nº pedido|documento|sale number|number|invoice|invoice number|"
        "order|order number",
        required=True,
    ),
    _field(
        "sold_on",
        N_("Sale date"),
        "fecha|fecha venta|fecha de venta|fecha factura|fecha albarán|fecha pedido|date|sale date|invoice date",
        ValueType.DATE,
        required=True,
    ),
    _field(
        "customer",
        N_("Customer (code or tax ID)"),
        "cliente|código cliente|cód cliente|cod cliente|nif cliente|cif cliente|nif|cif|dni|cif/nif|nif/cif|"
        "customer|customer code|customer tax id|customer id",
        required=True,
    ),
    _field(
        "product",
        N_("Product (reference)"),
        "referencia|ref|artículo|código artículo|cód artículo|cod articulo|producto|ref producto|sku|product|"
        "reference|item|item code|product code",
        required=True,
    ),
    _field(
        "serial_number",
        N_("Serial number"),
        "número de serie|nº serie|n serie|num serie|serie|s/n|imei|serial|serial number|serial no",
    ),
    _field("quantity", N_("Quantity"), "cantidad|cant|uds|unidades|quantity|qty|units", ValueType.INTEGER),
    _field(
        "unit_price",
        N_("Unit price"),
        "precio|precio unitario|pvp|precio unidad|importe unitario|price|unit price",
        ValueType.DECIMAL,
    ),
    _field(
        "delivered_on",
        N_("Delivery date"),
        "fecha entrega|fecha de entrega|entrega|entregado|delivery date|delivered|delivered on|delivery",
        ValueType.DATE,
    ),
    _field(
        "rep",
        N_("Rep (code)"),
        "comercial|vendedor|agente|representante|cod comercial|rep|sales rep|salesperson",
    ),
    _field("notes", N_("Notes"), "notas|observaciones|comentarios|notes|comments|remarks"),
)

FIELDS: dict[ImportKind, tuple[FieldSpec, ...]] = {
    ImportKind.CUSTOMERS: _CUSTOMER_FIELDS,
    ImportKind.PRODUCTS: _PRODUCT_FIELDS,
    ImportKind.SALES: _SALE_FIELDS,
}


def fields_of(kind: ImportKind) -> tuple[FieldSpec, ...]:
    return FIELDS[kind]


@dataclass(frozen=True)
class ColumnMap:
    """Which column (0-based) fills which field, and the header each came from (for messages)."""

    columns: dict[str, int]  # field name → column index
    headers: list[str]  # the header row as text

    def header_of(self, field: str) -> str:
        return self.headers[self.columns[field]]


def _recogniser(kind: ImportKind) -> dict[str, str]:
    known: dict[str, str] = {}
    for spec in FIELDS[kind]:
        for key in spec.headers:
            known.setdefault(key, spec.name)  # a name two fields know goes to the first listed
    return known


def recognised_count(kind: ImportKind, cells: Sequence[str], given: Mapping[str, str | None] | None) -> int:
    """How many of `cells` name a field (or a column of the mapping file): finds the header row."""
    known = _recogniser(kind)
    mapped = {header_key(k) for k in (given or {})}
    return sum(1 for cell in cells if cell and (header_key(cell) in known or header_key(cell) in mapped))


def map_columns(
    kind: ImportKind, headers: Sequence[str], given: Mapping[str, str | None] | None
) -> ColumnMap:
    """Columns to fields: the mapping file's entries first, the rest recognised by their header.

    Raises MappingError for a mapping that names an unknown field or a column the file lacks, or
    maps two columns to one field. A field two headers are recognised as takes the first column."""
    names = {spec.name for spec in FIELDS[kind]}
    keys = [header_key(h) for h in headers]
    columns: dict[str, int] = {}
    decided: set[int] = set()
    for header, field in (given or {}).items():
        index = _column_index(keys, header)
        if index is None:
            raise MappingError(
                _("The mapping names the column {column}, which the file does not have.").format(
                    column=header
                )
            )
        decided.add(index)
        if not field:
            continue
        if field not in names:
            raise MappingError(
                _("The mapping names the field {field}, which {kind} do not have; see --fields.").format(
                    field=field, kind=kind.value
                )
            )
        if field in columns:
            raise MappingError(_("The mapping gives two columns to the field {field}.").format(field=field))
        columns[field] = index
    known = _recogniser(kind)
    for index, key in enumerate(keys):
        field = known.get(key)
        if index in decided or field is None or field in columns:
            continue
        columns[field] = index
    return ColumnMap(columns, list(headers))


# "Column 5" / "Columna 5": the name reading.distinct_headers gives a column without a header, in
# whichever language the mapping was saved.
_GENERATED_RE = re.compile(r"^(?:column|columna) (\d+)$")


def column_index(headers: Sequence[str], header: str) -> int | None:
    """The column of `headers` that `header` names, as a mapping names one (accents, case and dots
    ignored; "Column 5" by its position), or None."""
    return _column_index([header_key(h) for h in headers], header)


def _column_index(keys: list[str], header: str) -> int | None:
    """The column a mapping's `header` names: by its name, else a generated "Column N" of another
    language by its position."""
    key = header_key(header)
    if key in keys:
        return keys.index(key)
    match = _GENERATED_RE.match(key)
    if match and 1 <= int(match[1]) <= len(keys) and _GENERATED_RE.match(keys[int(match[1]) - 1]):
        return int(match[1]) - 1
    return None


def load_mapping(path: str | Path) -> dict[str, str | None]:
    """A mapping file: JSON or TOML (by its extension, else whichever reads), {"column": "field"}."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(
            _("Cannot read the mapping file {path}: {reason}").format(path=path, reason=exc)
        ) from exc
    readers = [_json, _toml] if path.suffix.lower() != ".toml" else [_toml, _json]
    problems = []
    for read in readers:
        try:
            data = read(text)
            break
        except ValueError as exc:
            problems.append(str(exc))
    else:
        raise MappingError(
            _("The mapping file {path} is neither JSON nor TOML: {reason}").format(
                path=path, reason=problems[0]
            )
        )
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in data.items()
    ):
        raise MappingError(
            _('The mapping file {path} must map each column header to a field: {{"NIF": "tax_id"}}.').format(
                path=path
            )
        )
    return dict(data)


def write_mapping(path: str | os.PathLike, mapping: Mapping[str, str | None], *, force: bool = False) -> Path:
    """A mapping file `load_mapping` and `postventa import --mapping` read: JSON, {"column": "field"}
    ("" for a column left out), ".json" added when missing, written through app.outputs."""
    text = json.dumps(
        {header: field or "" for header, field in mapping.items()}, ensure_ascii=False, indent=2
    )
    return write_output(
        path,
        MAPPING_EXTENSION,
        lambda temporary: temporary.write_text(text + "\n", encoding="utf-8"),
        force=force,
    )


def headers_key(headers: Sequence[str]) -> str:
    """What tells one source's files from another's: their set of column headers (compared as
    `header_key` compares them; order and blanks ignored; pass `TableSource.named_headers`, where a
    repeated header has its rank: "Teléfono (2)"), as a short stable text. The window remembers a
    mapping per kind and per this key, offers it for the next such file and finds by it the header
    row of a file whose headers were not recognised."""
    names = sorted({header_key(header) for header in headers} - {""})
    return hashlib.sha256("\n".join(names).encode("utf-8")).hexdigest()[:24]


def _json(text: str) -> object:
    return json.loads(text)  # json.JSONDecodeError is a ValueError


def _toml(text: str) -> object:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(str(exc)) from exc
