"""Correct-use checks (seed 002 §5.1.3): versioned checklists and the checks run with customers.

A *template* is one version of a checklist for a product category, or for one product (which
then overrides its category's). Editing a template writes a new version in the same family and
retires the old one, so a check done keeps the questions it was answered against.

A *check* starts as a draft with one unanswered answer per item; it is saved and resumed at will
and finished once every item is OK, Not OK or Not applicable. The score is OK over applicable
items (OK + Not OK); the check passes when no critical item is Not OK and the score reaches
`PASS_SCORE`. Finishing completes the follow-up the check came from; a failed check proposes a
training follow-up `training_days()` later, and a critical failure offers to open a case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from peewee import JOIN, Case, fn

from app.i18n import _, current_language, format_date, format_percent
from app.models import (
    CheckAnswer,
    CheckItem,
    CheckTemplate,
    Customer,
    FollowUp,
    Product,
    ProductCategory,
    Rep,
    SoldUnit,
    UsageCheck,
)
from app.models import now as wall_clock_now
from app.models.enums import (
    CheckAnswerResult,
    CheckStatus,
    FollowUpKind,
    FollowUpOutcome,
    FollowUpPurpose,
    FollowUpState,
    UnitStatus,
)
from app.services import audit
from app.services.calendar import WorkingCalendar
from app.services.company import load_company_settings, save_company_settings
from app.services.errors import DomainError, NotFoundError, ValidationError
from app.services.followups import (
    ConfirmationRequired,
    ScheduleResult,
    agenda_query,
    agenda_rows,
    complete_follow_up,
    customer_address,
    default_time_of_day,
    schedule_follow_up,
)
from app.services.inputs import clean_text
from app.services.transactions import write_command, write_transaction

# The share of applicable items that must be OK for a check to pass (the demo data uses it too).
PASS_SCORE = 0.8
# Days after a failed check that the training follow-up is proposed; a company setting.
DEFAULT_TRAINING_DAYS = 7
MAX_QUESTION = 500
MAX_NAME = 200
MAX_PRESENT = 250
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

OK, NOT_OK, NA = CheckAnswerResult.OK, CheckAnswerResult.NOT_OK, CheckAnswerResult.NOT_APPLICABLE


# --- settings ------------------------------------------------------------------------


def training_days() -> int:
    """Days after a failed check the training follow-up is proposed (company-wide, 1–90)."""
    days = load_company_settings().check_training_days
    return days if 1 <= days <= 90 else DEFAULT_TRAINING_DAYS


@write_command
def set_training_days(days: int, acting_rep_id: int | None = None) -> None:
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 90:
        raise ValidationError({"training_days": _("The training follow-up must be between 1 and 90 days later.")})
    save_company_settings(replace(load_company_settings(), check_training_days=days), acting_rep_id)


# --- templates -----------------------------------------------------------------------


@dataclass(frozen=True)
class ItemInput:
    question: str
    guidance: str = ""
    critical: bool = False


@dataclass(frozen=True)
class ItemRow:
    id: int
    position: int
    question: str
    guidance: str
    critical: bool

    def to_input(self) -> ItemInput:
        return ItemInput(self.question, self.guidance, self.critical)


@dataclass(frozen=True)
class TemplateRow:
    id: int
    family: str
    version: int
    name: str
    category_id: int | None
    category_name: str
    product_id: int | None
    product_name: str
    active: bool
    created_at: dt.datetime
    items: tuple[ItemRow, ...]

    @property
    def applies_to(self) -> str:
        return self.product_name or self.category_name


def _template_query():
    return (
        CheckTemplate.select(
            CheckTemplate,
            ProductCategory.name.alias("category_name"),
            Product.name.alias("product_name"),
        )
        .join(ProductCategory, JOIN.LEFT_OUTER, on=(CheckTemplate.category == ProductCategory.id))
        .join_from(CheckTemplate, Product, JOIN.LEFT_OUTER, on=(CheckTemplate.product == Product.id))
    )


def _templates(query) -> list[TemplateRow]:
    templates = list(query.objects())
    items: dict[int, list[ItemRow]] = {t.id: [] for t in templates}
    if templates:
        for item in (
            CheckItem.select()
            .where(CheckItem.template.in_(list(items)))
            .order_by(CheckItem.template, CheckItem.position)
        ):
            items[item.template_id].append(
                ItemRow(item.id, item.position, item.question, item.guidance, item.critical)
            )
    return [
        TemplateRow(
            t.id, t.family, t.version, t.name, t.category_id, t.category_name or "", t.product_id,
            t.product_name or "", t.active, t.created_at, tuple(items[t.id]),
        )
        for t in templates
    ]


def list_templates(include_old_versions: bool = False) -> list[TemplateRow]:
    """Checklists by category then product; only the current versions unless asked."""
    query = _template_query().order_by(
        ProductCategory.name, Product.name.is_null(False), Product.name, CheckTemplate.family, CheckTemplate.version
    )
    if not include_old_versions:
        query = query.where(CheckTemplate.active == True)  # noqa: E712 (peewee expression)
    return _templates(query)


def get_template(template_id: int) -> TemplateRow:
    rows = _templates(_template_query().where(CheckTemplate.id == template_id))
    if not rows:
        raise NotFoundError(_("The checklist no longer exists."))
    return rows[0]


def template_versions(family: str) -> list[TemplateRow]:
    return _templates(_template_query().where(CheckTemplate.family == family).order_by(CheckTemplate.version))


def template_for_unit(sold_unit_id: int) -> TemplateRow | None:
    """The checklist a sold unit is checked with: its product's own, else its category's."""
    unit = (
        SoldUnit.select(SoldUnit.product, Product.category)
        .join(Product, on=(SoldUnit.product == Product.id))
        .where(SoldUnit.id == sold_unit_id)
        .tuples()
        .first()
    )
    if unit is None:
        raise NotFoundError(_("The sold product no longer exists."))
    product_id, category_id = unit
    active = _template_query().where(CheckTemplate.active == True)  # noqa: E712
    for query in (
        active.where(CheckTemplate.product == product_id),
        active.where((CheckTemplate.category == category_id) & CheckTemplate.product.is_null()),
    ):
        rows = _templates(query.order_by(CheckTemplate.version.desc(), CheckTemplate.id.desc()).limit(1))
        if rows:
            return rows[0]
    return None


def _clean_items(items: Sequence[ItemInput]) -> list[ItemInput]:
    return [ItemInput((i.question or "").strip(), (i.guidance or "").strip(), bool(i.critical)) for i in items]


def _validate_template(name: str, items: Sequence[ItemInput]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("The name is required.")
    elif len(name) > MAX_NAME:
        errors["name"] = _("Too long: at most {limit} characters.").format(limit=MAX_NAME)
    if not items:
        errors["items"] = _("A checklist needs at least one item.")
    seen: dict[str, int] = {}
    for number, item in enumerate(items, start=1):
        key = " ".join(item.question.casefold().split())
        if not key:
            errors[f"items.{number - 1}.question"] = _("Item {number}: write the question.").format(number=number)
        elif len(item.question) > MAX_QUESTION:
            errors[f"items.{number - 1}.question"] = _("Item {number}: too long, at most {limit} characters.").format(
                number=number, limit=MAX_QUESTION
            )
        elif key in seen:
            errors[f"items.{number - 1}.question"] = _("Item {number} repeats the question of item {first}.").format(
                number=number, first=seen[key]
            )
        else:
            seen[key] = number
    return errors


def _free_family(base: str) -> str:
    base = base[:34]
    taken = {f for (f,) in CheckTemplate.select(CheckTemplate.family).where(CheckTemplate.family.startswith(base)).tuples()}
    family, number = base, 2
    while family in taken:
        family, number = f"{base}-{number}", number + 1
    return family


def _write_items(template_id: int, items: Sequence[ItemInput]) -> None:
    CheckItem.insert_many(
        [
            {"template": template_id, "position": p, "question": i.question, "guidance": i.guidance, "critical": i.critical}
            for p, i in enumerate(items, start=1)
        ]
    ).execute()


def _items_detail(items: Sequence[ItemInput]) -> list[dict]:
    return [{"question": i.question, "critical": i.critical} for i in items]


@write_command
def create_template(
    name: str,
    items: Sequence[ItemInput],
    *,
    category_id: int | None = None,
    product_id: int | None = None,
    acting_rep_id: int | None = None,
) -> int:
    """A new checklist (version 1) for a category or, overriding it, for one product."""
    name = (name or "").strip()
    items = _clean_items(items)
    errors = _validate_template(name, items)
    category = product = None
    if product_id is not None:
        product = Product.get_or_none(Product.id == product_id)
        if product is None:
            errors["product_id"] = _("The chosen product no longer exists.")
    elif category_id is not None:
        category = ProductCategory.get_or_none(ProductCategory.id == category_id)
        if category is None:
            errors["category_id"] = _("The chosen product category no longer exists.")
    else:
        errors["category_id"] = _("Choose the product category (or the product) the checklist is for.")
    if not errors:
        current = CheckTemplate.select().where(CheckTemplate.active == True)  # noqa: E712
        current = (
            current.where(CheckTemplate.product == product.id)
            if product is not None
            else current.where((CheckTemplate.category == category.id) & CheckTemplate.product.is_null())
        )
        if current.exists():
            errors["category_id"] = _("There is already a checklist for it: edit that one to make a new version.")
    if errors:
        raise ValidationError(errors)
    with write_transaction():
        family = _free_family(f"prod-{product.sku}" if product is not None else f"cat-{category.code}")
        template = CheckTemplate.create(
            family=family,
            version=1,
            name=name,
            category=product.category_id if product is not None else category.id,
            product=product.id if product is not None else None,
        )
        _write_items(template.id, items)
        audit.record("create", "check_template", template.id, acting_rep_id, family=family, version=1, name=name,
                     items=_items_detail(items))
    return template.id


@write_command
def update_template(
    template_id: int, name: str, items: Sequence[ItemInput], acting_rep_id: int | None = None
) -> int:
    """Save changes as a new version of the template's family; returns the new version's id.

    Checks already done (or drafted) keep the version they were started with.
    """
    old = CheckTemplate.get_or_none(CheckTemplate.id == template_id)
    if old is None:
        raise NotFoundError(_("The checklist no longer exists."))
    name = (name or "").strip()
    items = _clean_items(items)
    errors = _validate_template(name, items)
    if errors:
        raise ValidationError(errors)
    with write_transaction():
        latest = CheckTemplate.select(fn.MAX(CheckTemplate.version)).where(CheckTemplate.family == old.family).scalar()
        CheckTemplate.update(active=False).where(CheckTemplate.family == old.family).execute()
        template = CheckTemplate.create(
            family=old.family, version=latest + 1, name=name, category=old.category_id, product=old.product_id
        )
        _write_items(template.id, items)
        audit.record("create", "check_template", template.id, acting_rep_id, family=old.family,
                     version=template.version, previous_id=old.id, name=name, items=_items_detail(items))
    return template.id


@write_command
def retire_template(template_id: int, acting_rep_id: int | None = None) -> None:
    """No new checks with this family (the category's checklist, if any, is used instead)."""
    old = CheckTemplate.get_or_none(CheckTemplate.id == template_id)
    if old is None:
        raise NotFoundError(_("The checklist no longer exists."))
    with write_transaction():
        CheckTemplate.update(active=False).where(CheckTemplate.family == old.family).execute()
        audit.record("retire", "check_template", old.id, acting_rep_id, family=old.family)


# --- default templates -------------------------------------------------------------------

# (question, guidance, critical) in Spanish and in English, by demo category code.
_Q = tuple[str, str, bool]
DEFAULT_CHECKLISTS: dict[str, dict[str, list[_Q]]] = {
    "coffee": {
        "es": [
            ("El cliente sabe llenar el depósito de agua y colocar la bandeja de goteo.", "", False),
            ("Se ha ajustado la dureza del agua según la zona.", "Mida con la tira reactiva de la caja.", False),
            ("El cliente sabe lanzar el programa de descalcificación.", "Enséñele a descalcificar con el kit.", True),
            ("El cliente limpia el grupo de café y el vaporizador de leche después de usarlo.", "", False),
            ("Se ha configurado el molido y la cantidad de café.", "", False),
            ("El cliente conoce las señales de aviso del panel.", "", False),
        ],
        "en": [
            ("The customer can fill the water tank and fit the drip tray.", "", False),
            ("Water hardness is set for the area.", "Measure it with the test strip in the box.", False),
            ("The customer can start the descaling programme.", "Show how to descale with the kit.", True),
            ("The customer cleans the brew unit and the milk frother after use.", "", False),
            ("Grind and coffee amount are set.", "", False),
            ("The customer knows the warning lights on the panel.", "", False),
        ],
    },
    "washing": {
        "es": [
            ("Se han retirado los tornillos de transporte.", "Si siguen puestos, retírelos antes de irse.", True),
            ("La lavadora está nivelada y no vibra al centrifugar.", "Compruébelo con un centrifugado corto.", True),
            ("El cliente elige el programa y la temperatura adecuados para cada tejido.", "", False),
            ("El cliente sabe dosificar el detergente y dónde ponerlo.", "", False),
            ("El cliente sabe limpiar el filtro de la bomba.", "", False),
            ("Se ha explicado el programa eco y su consumo.", "", False),
        ],
        "en": [
            ("The transport bolts have been removed.", "If they are still in, remove them before leaving.", True),
            ("The machine is level and does not shake when spinning.", "Check it with a short spin.", True),
            ("The customer picks the right programme and temperature for each fabric.", "", False),
            ("The customer knows how much detergent to use and where to put it.", "", False),
            ("The customer can clean the pump filter.", "", False),
            ("The eco programme and its consumption have been explained.", "", False),
        ],
    },
    "dishwasher": {
        "es": [
            ("Se ha configurado la dureza del agua y se ha llenado la sal.", "", True),
            ("El cliente carga la vajilla correctamente en las cestas.", "", False),
            ("El cliente sabe limpiar los filtros.", "", False),
            ("El cliente rellena el abrillantador.", "", False),
            ("No hay fugas en la toma de agua ni en el desagüe.", "Revise las conexiones con el aparato en marcha.", True),
        ],
        "en": [
            ("Water hardness is set and the salt container is filled.", "", True),
            ("The customer loads the baskets correctly.", "", False),
            ("The customer can clean the filters.", "", False),
            ("The customer refills the rinse aid.", "", False),
            ("There are no leaks at the water inlet or the drain.", "Check the connections while it runs.", True),
        ],
    },
    "fridge": {
        "es": [
            ("El aparato ha reposado antes de conectarlo.", "Al menos 4 horas de pie tras el transporte.", True),
            ("Las temperaturas están ajustadas (4 °C y −18 °C).", "", False),
            ("Se ha dejado espacio de ventilación detrás del aparato.", "", False),
            ("El cliente sabe cambiar el filtro de agua del dispensador.", "", False),
            ("El cliente conoce la alarma de puerta abierta.", "", False),
        ],
        "en": [
            ("The appliance stood upright before being switched on.", "At least 4 hours after transport.", True),
            ("Temperatures are set (4 °C and −18 °C).", "", False),
            ("There is room for ventilation behind the appliance.", "", False),
            ("The customer can change the dispenser's water filter.", "", False),
            ("The customer knows the door-open alarm.", "", False),
        ],
    },
    "aircon": {
        "es": [
            ("El cliente maneja el mando: frío, calor, deshumidificación y ventilación.", "", False),
            ("Se ha explicado la temperatura recomendada (26 °C en verano, 20 °C en invierno).", "", False),
            ("El cliente sabe limpiar los filtros de la unidad interior.", "Enséñele a sacarlos y lavarlos.", True),
            ("El desagüe de condensados funciona sin goteos.", "", True),
            ("El cliente ha configurado la aplicación de control por wifi.", "", False),
            ("La unidad exterior está bien fijada y no vibra.", "", False),
        ],
        "en": [
            ("The customer uses the remote: cooling, heating, dry and fan modes.", "", False),
            ("The recommended temperature has been explained (26 °C in summer, 20 °C in winter).", "", False),
            ("The customer can clean the indoor unit's filters.", "Show how to take them out and wash them.", True),
            ("The condensate drain works without dripping.", "", True),
            ("The customer has set up the wifi control app.", "", False),
            ("The outdoor unit is firmly fixed and does not vibrate.", "", False),
        ],
    },
    "ebike": {
        "es": [
            ("El cliente sabe cargar y conservar la batería.", "Cargar a temperatura ambiente; no dejarla vacía.", True),
            ("Se han explicado los niveles de asistencia y la autonomía.", "", False),
            ("Los frenos están ajustados y el cliente sabe comprobarlos.", "", True),
            ("La presión de los neumáticos es la recomendada.", "", False),
            ("El cliente conoce la revisión gratuita de los 500 km.", "", False),
            ("El registro antirrobo del cuadro está hecho.", "", False),
        ],
        "en": [
            ("The customer can charge and store the battery.", "Charge at room temperature; never leave it empty.", True),
            ("Assistance levels and range have been explained.", "", False),
            ("The brakes are adjusted and the customer can check them.", "", True),
            ("Tyre pressure is as recommended.", "", False),
            ("The customer knows about the free 500 km service.", "", False),
            ("The frame is registered against theft.", "", False),
        ],
    },
    "solar": {
        "es": [
            ("El inversor está conectado y muestra producción.", "", True),
            ("El cliente ha activado la aplicación de monitorización.", "", False),
            ("Se ha explicado cómo leer la producción y el autoconsumo.", "", False),
            ("El cliente conoce la limpieza recomendada de los paneles.", "", False),
            ("Se ha entregado el certificado de instalación eléctrica (CIE).", "", True),
            ("El cliente sabe qué hacer ante una alarma del inversor.", "", False),
        ],
        "en": [
            ("The inverter is connected and shows production.", "", True),
            ("The customer has activated the monitoring app.", "", False),
            ("How to read production and self-consumption has been explained.", "", False),
            ("The customer knows how the panels should be cleaned.", "", False),
            ("The electrical installation certificate has been handed over.", "", True),
            ("The customer knows what to do when the inverter raises an alarm.", "", False),
        ],
    },
    "tv": {
        "es": [
            ("Se ha sintonizado la TDT y ordenado los canales.", "", False),
            ("El televisor está conectado a la wifi y actualizado.", "", False),
            ("El cliente sabe cambiar de fuente (HDMI, TDT, aplicaciones).", "", False),
            ("Se han configurado las aplicaciones que usa el cliente.", "", False),
            ("El soporte de pared está bien fijado.", "Compruebe los tacos y el nivel.", True),
        ],
        "en": [
            ("Channels are tuned and sorted.", "", False),
            ("The TV is on the wifi and up to date.", "", False),
            ("The customer can switch sources (HDMI, aerial, apps).", "", False),
            ("The apps the customer uses are set up.", "", False),
            ("The wall bracket is firmly fixed.", "Check the plugs and the level.", True),
        ],
    },
    "vacuum": {
        "es": [
            ("La base de carga está en un lugar despejado.", "", True),
            ("Se ha creado el mapa de la vivienda en la aplicación.", "", False),
            ("El cliente sabe vaciar el depósito y limpiar los cepillos.", "", False),
            ("Se han definido zonas prohibidas y horarios.", "", False),
            ("El cliente sabe usar la función de fregado.", "", False),
        ],
        "en": [
            ("The charging base stands in a clear spot.", "", True),
            ("The home map has been created in the app.", "", False),
            ("The customer can empty the bin and clean the brushes.", "", False),
            ("No-go zones and schedules are set.", "", False),
            ("The customer can use the mopping function.", "", False),
        ],
    },
    "heating": {
        "es": [
            ("La presión del circuito está entre 1 y 1,5 bar.", "", True),
            ("El cliente sabe rellenar el circuito si baja la presión.", "", False),
            ("Se ha programado el termostato según los horarios de la vivienda.", "", False),
            ("El cliente conoce los códigos de error más habituales.", "", False),
            ("La salida de humos está revisada y sellada.", "", True),
            ("Se ha explicado la revisión obligatoria periódica.", "", False),
        ],
        "en": [
            ("Circuit pressure is between 1 and 1.5 bar.", "", True),
            ("The customer can top up the circuit when the pressure drops.", "", False),
            ("The thermostat is programmed for the household's hours.", "", False),
            ("The customer knows the most common error codes.", "", False),
            ("The flue is checked and sealed.", "", True),
            ("The compulsory periodic inspection has been explained.", "", False),
        ],
    },
}
GENERIC_CHECKLIST: dict[str, list[_Q]] = {
    "es": [
        ("El producto está instalado o montado según el manual.", "", True),
        ("El cliente sabe ponerlo en marcha y apagarlo.", "", False),
        ("Se han explicado el mantenimiento y la limpieza.", "", False),
        ("El cliente conoce la garantía y cómo contactar con postventa.", "", False),
    ],
    "en": [
        ("The product is installed or assembled as the manual says.", "", True),
        ("The customer can start it and switch it off.", "", False),
        ("Maintenance and cleaning have been explained.", "", False),
        ("The customer knows the warranty and how to contact after-sales.", "", False),
    ],
}
_DEFAULT_NAMES = {"es": "Uso correcto: {category}", "en": "Correct use: {category}"}


@write_command
def install_default_templates(language: str | None = None, acting_rep_id: int | None = None) -> int:
    """A checklist for every category that has none (current or retired), in `language` ('es' or
    'en'; the UI's by default): the built-in one for known categories, a general one otherwise.
    Returns how many were created; safe to run again."""
    language = language if language in ("es", "en") else current_language()
    created = 0
    with write_transaction():
        covered = {
            c for (c,) in CheckTemplate.select(CheckTemplate.category).where(CheckTemplate.product.is_null()).tuples()
        }
        for category in ProductCategory.select().order_by(ProductCategory.name):
            if category.id in covered:
                continue
            spec = DEFAULT_CHECKLISTS.get(category.code, GENERIC_CHECKLIST)[language]
            name = _DEFAULT_NAMES[language].format(category=category.name.lower())[:MAX_NAME]
            template = CheckTemplate.create(
                family=_free_family(f"cat-{category.code}"), version=1, name=name, category=category.id
            )
            _write_items(template.id, [ItemInput(q, g, c) for q, g, c in spec])
            audit.record("create", "check_template", template.id, acting_rep_id, name=name, default=True,
                         language=language)
            created += 1
    return created


# --- running a check ---------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerInput:
    item_id: int
    result: CheckAnswerResult | None
    note: str = ""
    trained_on_site: bool = False


@dataclass(frozen=True)
class AnswerRow:
    item_id: int
    position: int
    question: str
    guidance: str
    critical: bool
    result: CheckAnswerResult | None
    note: str
    trained_on_site: bool

    def to_input(self) -> AnswerInput:
        return AnswerInput(self.item_id, self.result, self.note, self.trained_on_site)


@dataclass(frozen=True)
class CheckDetail:
    id: int
    status: CheckStatus
    template_id: int
    template_name: str
    template_version: int
    customer_id: int
    customer_code: str
    customer_name: str
    customer_address: str
    sold_unit_id: int
    unit_status: UnitStatus
    product_name: str
    sku: str
    serial_number: str
    category_name: str
    rep_id: int | None
    rep_name: str
    follow_up_id: int | None
    follow_up_kind: FollowUpKind | None
    started_at: dt.datetime
    completed_at: dt.datetime | None
    present_people: str
    signature_png: bytes | None
    notes: str
    score: float | None
    passed: bool | None
    answers: tuple[AnswerRow, ...]

    @property
    def unanswered(self) -> tuple[AnswerRow, ...]:
        return tuple(a for a in self.answers if a.result is None)

    @property
    def critical_failures(self) -> tuple[AnswerRow, ...]:
        return tuple(a for a in self.answers if a.critical and a.result is NOT_OK)


def unit_warning(sold_unit_id: int) -> str | None:
    """Why checking this unit makes little sense (returned or replaced), or None."""
    row = (
        SoldUnit.select(SoldUnit.status, SoldUnit.serial_number, Product.name)
        .join(Product, on=(SoldUnit.product == Product.id))
        .where(SoldUnit.id == sold_unit_id)
        .tuples()
        .first()
    )
    if row is None:
        raise NotFoundError(_("The sold product no longer exists."))
    status, serial, product = row
    if status is UnitStatus.ACTIVE:
        return None
    what = f"{product} ({serial})" if serial else product
    return _("{product} is marked as {status}: the customer may no longer use it. Check it anyway?").format(
        product=what, status=status.label.lower()
    )


def _get_check(check_id: int) -> UsageCheck:
    check = UsageCheck.get_or_none(UsageCheck.id == check_id)
    if check is None:
        raise NotFoundError(_("The check no longer exists."))
    return check


def draft_for(sold_unit_id: int, follow_up_id: int | None = None) -> int | None:
    """The draft check of this unit (of this follow-up, when given) to resume, if any."""
    query = UsageCheck.select(UsageCheck.id).where(
        (UsageCheck.sold_unit == sold_unit_id) & (UsageCheck.status == CheckStatus.DRAFT)
    )
    if follow_up_id is not None:
        query = query.where((UsageCheck.follow_up == follow_up_id) | UsageCheck.follow_up.is_null())
    return query.order_by(UsageCheck.started_at.desc(), UsageCheck.id.desc()).limit(1).scalar()


@write_command
def start_check(
    sold_unit_id: int,
    acting_rep_id: int | None,
    *,
    follow_up_id: int | None = None,
    confirm_unit_status: bool = False,
    now: dt.datetime | None = None,
) -> int:
    """Start (or resume: the unit's draft is returned) a check of a sold unit; returns its id.

    A returned or replaced unit raises ConfirmationRequired unless `confirm_unit_status`.
    """
    now = now or wall_clock_now()
    unit = SoldUnit.get_or_none(SoldUnit.id == sold_unit_id)
    if unit is None:
        raise NotFoundError(_("The sold product no longer exists."))
    follow_up = None
    if follow_up_id is not None:
        follow_up = FollowUp.get_or_none(FollowUp.id == follow_up_id)
        if follow_up is None:
            raise NotFoundError(_("The follow-up no longer exists."))
        if follow_up.customer_id != unit.customer_id:
            raise DomainError(_("The follow-up is about another customer."))
        if follow_up.state in (FollowUpState.CANCELLED, FollowUpState.MISSED):
            raise DomainError(
                _("This follow-up is already {state}; it can no longer be changed.").format(
                    state=follow_up.state.label.lower()
                )
            )
    existing = draft_for(sold_unit_id, follow_up_id)
    if existing is not None:
        if follow_up_id is not None:
            UsageCheck.update(follow_up=follow_up_id).where(UsageCheck.id == existing).execute()
        return existing
    warning = unit_warning(sold_unit_id)
    if warning and not confirm_unit_status:
        raise ConfirmationRequired(warning)
    template = template_for_unit(sold_unit_id)
    if template is None:
        product = Product.get_by_id(unit.product_id)
        raise DomainError(
            _("There is no checklist for {product} or its category yet: create one first.").format(product=product.name)
        )
    customer = Customer.get_by_id(unit.customer_id)
    with write_transaction():
        check = UsageCheck.create(
            template=template.id,
            sold_unit=unit.id,
            customer=unit.customer_id,
            rep=acting_rep_id or (follow_up.rep_id if follow_up else None) or customer.rep_id,
            follow_up=follow_up_id,
            status=CheckStatus.DRAFT,
            started_at=now,
        )
        CheckAnswer.insert_many([{"check": check.id, "item": item.id} for item in template.items]).execute()
        audit.record("create", "usage_check", check.id, acting_rep_id, sold_unit_id=sold_unit_id,
                     template_id=template.id, follow_up_id=follow_up_id, unit_status=unit.status)
    return check.id


@write_command
def save_answers(
    check_id: int,
    answers: Iterable[AnswerInput],
    present_people: str,
    signature_png: bytes | None = None,
    notes: str = "",
    acting_rep_id: int | None = None,
) -> None:
    """Save the draft as it stands (some items may be unanswered). The signature saved is the one
    given: None means there is none."""
    check = _get_check(check_id)
    if check.status is not CheckStatus.DRAFT:
        raise DomainError(_("This check is finished; its answers can no longer be changed."))
    present_people = " ".join(clean_text(present_people).split())
    notes = clean_text(notes)
    errors: dict[str, str] = {}
    if len(present_people) > MAX_PRESENT:
        errors["present_people"] = _("Too long: at most {limit} characters.").format(limit=MAX_PRESENT)
    if signature_png is not None and not bytes(signature_png).startswith(PNG_MAGIC):
        errors["signature_png"] = _("The signature is not a PNG image.")
    item_ids = {
        i for (i,) in CheckItem.select(CheckItem.id).where(CheckItem.template == check.template_id).tuples()
    }
    answers = [replace(answer, note=clean_text(answer.note)) for answer in answers]
    for answer in answers:
        if answer.item_id not in item_ids:
            errors["answers"] = _("An answer is for a question of another checklist.")
        elif answer.result is not None and not isinstance(answer.result, CheckAnswerResult):
            try:
                CheckAnswerResult(answer.result)
            except ValueError:
                errors["answers"] = _("An answer is neither OK, Not OK nor Not applicable.")
    if errors:
        raise ValidationError(errors)
    with write_transaction():
        for answer in answers:
            result = None if answer.result is None else CheckAnswerResult(answer.result)
            CheckAnswer.insert(
                check=check.id, item=answer.item_id, result=result, note=(answer.note or "").strip(),
                trained_on_site=bool(answer.trained_on_site),
            ).on_conflict(
                conflict_target=[CheckAnswer.check, CheckAnswer.item],
                update={
                    CheckAnswer.result: result,
                    CheckAnswer.note: (answer.note or "").strip(),
                    CheckAnswer.trained_on_site: bool(answer.trained_on_site),
                },
            ).execute()
        check.present_people = present_people
        check.signature_png = bytes(signature_png) if signature_png is not None else None
        check.notes = (notes or "").strip()
        check.save()
        audit.record("update", "usage_check", check.id, acting_rep_id,
                     answered=sum(1 for a in answers if a.result is not None))


class UnansweredItemsError(ValidationError):
    """Finishing refused: `missing` lists the unanswered items as '3. question'."""

    def __init__(self, missing: Sequence[str]):
        self.missing = tuple(missing)
        ValidationError.__init__(self, {"answers": "\n".join(
            [_("Answer every item before finishing. Still unanswered:")] + [f"• {m}" for m in self.missing]
        )})


@dataclass(frozen=True)
class CheckResult:
    check_id: int
    score: float | None  # OK over applicable items; None when nothing applied
    passed: bool
    ok: int
    not_ok: int
    not_applicable: int
    failed_items: tuple[str, ...]
    critical_failures: tuple[str, ...]
    started_at: dt.datetime
    completed_at: dt.datetime
    follow_up_completed: bool
    training_at: dt.datetime | None  # proposed when failed: confirm with schedule_training
    offer_case: bool  # a critical item failed: the UI offers to open a case (open_case_for_check)

    @property
    def minutes(self) -> int:
        return max(0, int((self.completed_at - self.started_at).total_seconds() // 60))

    @property
    def training_proposed(self) -> bool:
        return self.training_at is not None


def score_and_pass(answers: Iterable[tuple[CheckAnswerResult | None, bool]]) -> tuple[float | None, bool]:
    """(score, passed) for (result, critical) pairs: the one place the rules are written."""
    ok = not_ok = 0
    critical_failed = False
    for result, critical in answers:
        if result is OK:
            ok += 1
        elif result is NOT_OK:
            not_ok += 1
            critical_failed = critical_failed or critical
    score = round(ok / (ok + not_ok), 4) if ok + not_ok else None
    return score, not critical_failed and (score is None or score >= PASS_SCORE)


def _result_summary(score: float | None, passed: bool) -> str:
    verdict = _("passed") if passed else _("failed")
    if score is None:
        return _("Correct-use check {verdict}.").format(verdict=verdict)
    return _("Correct-use check {verdict} ({score} OK).").format(verdict=verdict, score=format_percent(score, 0))


def _training_time(kind: FollowUpKind, after: dt.date, days: int) -> dt.datetime:
    day = WorkingCalendar().to_working_day(after + dt.timedelta(days=days))
    return dt.datetime.combine(day, default_time_of_day(kind))


def _training_kind(check: UsageCheck) -> FollowUpKind:
    if check.follow_up_id is not None:
        kind = FollowUp.select(FollowUp.kind).where(FollowUp.id == check.follow_up_id).scalar()
        if kind in (FollowUpKind.VISIT, FollowUpKind.VIDEO):
            return FollowUpKind(kind)
    return FollowUpKind.VISIT


@write_command
def finish_check(check_id: int, acting_rep_id: int | None, now: dt.datetime | None = None) -> CheckResult:
    """Score and close the check; complete the follow-up it came from. Unanswered items refuse it."""
    now = now or wall_clock_now()
    check = _get_check(check_id)
    if check.status is not CheckStatus.DRAFT:
        raise DomainError(_("This check is already finished."))
    detail = get_check(check_id)
    if detail.unanswered:
        raise UnansweredItemsError([f"{a.position}. {a.question}" for a in detail.unanswered])
    score, passed = score_and_pass((a.result, a.critical) for a in detail.answers)
    failed = tuple(a.question for a in detail.answers if a.result is NOT_OK)
    critical = tuple(a.question for a in detail.critical_failures)
    follow_up_completed = False
    with write_transaction():
        check.status = CheckStatus.COMPLETED
        check.completed_at = now
        check.score = score
        check.passed = passed
        if check.rep_id is None:
            check.rep = acting_rep_id
        check.save()
        audit.record("finish", "usage_check", check.id, acting_rep_id, score=score, passed=passed,
                     failed=len(failed), critical_failed=len(critical))
        if check.follow_up_id is not None:
            state = FollowUp.select(FollowUp.state).where(FollowUp.id == check.follow_up_id).scalar()
            if state == FollowUpState.PLANNED:
                complete_follow_up(check.follow_up_id, FollowUpOutcome.REACHED, _result_summary(score, passed),
                                   acting_rep_id, now=now)
                follow_up_completed = True
    training_at = None if passed else _training_time(_training_kind(check), now.date(), training_days())
    return CheckResult(
        check.id, score, passed,
        sum(1 for a in detail.answers if a.result is OK),
        len(failed),
        sum(1 for a in detail.answers if a.result is NA),
        failed, critical, check.started_at, now, follow_up_completed, training_at, bool(critical),
    )


@write_command
def schedule_training(
    check_id: int,
    acting_rep_id: int | None = None,
    *,
    at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> ScheduleResult:
    """Create the training follow-up a failed check proposed (by default `training_days()` after it)."""
    now = now or wall_clock_now()
    check = _get_check(check_id)
    if check.status is not CheckStatus.COMPLETED or check.passed:
        raise DomainError(_("Only a failed check leads to a training follow-up."))
    planned = (
        FollowUp.select(FollowUp.scheduled_at)
        .where(
            (FollowUp.sold_unit == check.sold_unit_id)
            & (FollowUp.purpose == FollowUpPurpose.TRAINING)
            & (FollowUp.state == FollowUpState.PLANNED)
        )
        .scalar()
    )
    if planned is not None:
        raise DomainError(
            _("A training follow-up for this product is already planned on {date}.").format(date=format_date(planned))
        )
    kind = _training_kind(check)
    after = max(check.completed_at.date(), now.date())
    when = at or _training_time(kind, after, training_days())
    failed = [
        q for (q,) in CheckItem.select(CheckItem.question)
        .join(CheckAnswer, on=(CheckAnswer.item == CheckItem.id))
        .where((CheckAnswer.check == check.id) & (CheckAnswer.result == NOT_OK))
        .order_by(CheckItem.position)
        .tuples()
    ]
    notes = "\n".join(
        [_("Training after the correct-use check of {date}:").format(date=format_date(check.completed_at))]
        + [f"• {q}" for q in failed]
    )
    duration = 30 if kind is FollowUpKind.VIDEO else 45
    return schedule_follow_up(
        check.customer_id, kind, FollowUpPurpose.TRAINING, when, rep_id=check.rep_id, duration_minutes=duration,
        notes=notes, sold_unit_id=check.sold_unit_id, acting_rep_id=acting_rep_id, now=now,
        confirm_past=at is None,
    )


@write_command
def open_case_for_check(check_id: int, acting_rep_id: int | None, *, today: dt.date | None = None) -> int:
    """Open a complaint case about a check's critical failures (app.services.cases); returns its id."""
    from app.models.enums import CaseKind, ContactChannel

    try:
        from app.services.cases import receive_case
    except ImportError as exc:
        raise DomainError(_("Cases cannot be opened from here yet: record it on the Cases page.")) from exc
    detail = get_check(check_id)
    if detail.status is not CheckStatus.COMPLETED or not detail.critical_failures:
        raise DomainError(_("Only a check with a critical item Not OK leads to a case."))
    channel = (
        ContactChannel.IN_PERSON if detail.follow_up_kind in (None, FollowUpKind.VISIT) else ContactChannel.PHONE
    )
    lines = [
        _("Correct-use check of {product} on {date}: critical items not OK.").format(
            product=_unit_text(detail.product_name, detail.serial_number), date=format_date(detail.completed_at)
        )
    ]
    for answer in detail.critical_failures:
        lines.append(f"• {answer.question}" + (f" — {answer.note}" if answer.note else ""))
    return receive_case(
        CaseKind.COMPLAINT, detail.customer_id, channel, today or detail.completed_at.date(), "\n".join(lines),
        acting_rep_id, sold_unit_id=detail.sold_unit_id, origin_follow_up_id=detail.follow_up_id,
    )


def _unit_text(product: str, serial: str) -> str:
    return _("{product} (serial {serial})").format(product=product, serial=serial) if serial else product


# --- reading one check ---------------------------------------------------------------------


def get_check(check_id: int) -> CheckDetail:
    row = (
        UsageCheck.select(
            UsageCheck,
            CheckTemplate.name.alias("template_name"),
            CheckTemplate.version.alias("template_version"),
            Customer.code.alias("customer_code"),
            Customer.name.alias("customer_name"),
            Customer.address.alias("address"),
            Customer.postal_code.alias("postal_code"),
            Customer.city.alias("city"),
            SoldUnit.status.alias("unit_status"),
            SoldUnit.serial_number.alias("serial_number"),
            Product.name.alias("product_name"),
            Product.sku.alias("sku"),
            ProductCategory.name.alias("category_name"),
            Rep.name.alias("rep_name"),
            FollowUp.kind.alias("follow_up_kind"),
        )
        .join(CheckTemplate, on=(UsageCheck.template == CheckTemplate.id))
        .join_from(UsageCheck, Customer, on=(UsageCheck.customer == Customer.id))
        .join_from(UsageCheck, SoldUnit, on=(UsageCheck.sold_unit == SoldUnit.id))
        .join_from(SoldUnit, Product, on=(SoldUnit.product == Product.id))
        .join_from(Product, ProductCategory, JOIN.LEFT_OUTER, on=(Product.category == ProductCategory.id))
        .join_from(UsageCheck, Rep, JOIN.LEFT_OUTER, on=(UsageCheck.rep == Rep.id))
        .join_from(UsageCheck, FollowUp, JOIN.LEFT_OUTER, on=(UsageCheck.follow_up == FollowUp.id))
        .where(UsageCheck.id == check_id)
        .objects()
        .first()
    )
    if row is None:
        raise NotFoundError(_("The check no longer exists."))
    answers = tuple(
        AnswerRow(a.item_id, a.position, a.question, a.guidance, a.critical, a.result, a.note, a.trained_on_site)
        for a in CheckAnswer.select(
            CheckAnswer.item, CheckAnswer.result, CheckAnswer.note, CheckAnswer.trained_on_site,
            CheckItem.position, CheckItem.question, CheckItem.guidance, CheckItem.critical,
        )
        .join(CheckItem, on=(CheckAnswer.item == CheckItem.id))
        .where(CheckAnswer.check == check_id)
        .order_by(CheckItem.position)
        .objects()
    )
    return CheckDetail(
        id=row.id, status=row.status, template_id=row.template_id, template_name=row.template_name,
        template_version=row.template_version, customer_id=row.customer_id, customer_code=row.customer_code,
        customer_name=row.customer_name, customer_address=customer_address(row.address, row.postal_code, row.city),
        sold_unit_id=row.sold_unit_id, unit_status=UnitStatus(row.unit_status), product_name=row.product_name,
        sku=row.sku, serial_number=row.serial_number or "", category_name=row.category_name or "",
        rep_id=row.rep_id, rep_name=row.rep_name or "", follow_up_id=row.follow_up_id,
        follow_up_kind=FollowUpKind(row.follow_up_kind) if row.follow_up_kind else None,
        started_at=row.started_at, completed_at=row.completed_at, present_people=row.present_people,
        signature_png=bytes(row.signature_png) if row.signature_png else None, notes=row.notes,
        score=row.score, passed=row.passed, answers=answers,
    )


@dataclass(frozen=True)
class CheckRecord:
    """What the one-page PDF record prints (app.reports.check_record)."""

    company_name: str
    logo_path: str
    check: CheckDetail
    issued_on: dt.date


def check_record(check_id: int, today: dt.date | None = None) -> CheckRecord:
    company = load_company_settings()
    return CheckRecord(_(company.name), company.logo_path, get_check(check_id), today or dt.date.today())


# --- lists and statistics ------------------------------------------------------------------

RESULT_PASSED, RESULT_FAILED, RESULT_DRAFT = "passed", "failed", "draft"


@dataclass(frozen=True)
class CheckFilter:
    """Which checks a list shows. `result`: None (all), 'passed', 'failed' or 'draft'; the period
    [start, end] is on the completion day (the start day for drafts)."""

    result: str | None = None
    category_id: int | None = None
    product_id: int | None = None
    rep_id: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    customer_id: int | None = None
    sold_unit_id: int | None = None


@dataclass(frozen=True)
class CheckRow:
    id: int
    status: CheckStatus
    started_at: dt.datetime
    completed_at: dt.datetime | None
    score: float | None
    passed: bool | None
    customer_id: int
    customer_code: str
    customer_name: str
    sold_unit_id: int
    product_name: str
    serial_number: str
    category_name: str
    rep_name: str
    template_name: str
    template_version: int
    follow_up_id: int | None

    @property
    def when(self) -> dt.datetime:
        return self.completed_at or self.started_at


def _moment():
    return fn.COALESCE(UsageCheck.completed_at, UsageCheck.started_at)


def _filtered(query, f: CheckFilter):
    if f.result == RESULT_DRAFT:
        query = query.where(UsageCheck.status == CheckStatus.DRAFT)
    elif f.result in (RESULT_PASSED, RESULT_FAILED):
        query = query.where((UsageCheck.status == CheckStatus.COMPLETED) & (UsageCheck.passed == (f.result == RESULT_PASSED)))
    if f.product_id is not None:
        query = query.where(SoldUnit.product == f.product_id)
    if f.category_id is not None:
        query = query.where(Product.category == f.category_id)
    if f.rep_id is not None:
        query = query.where(UsageCheck.rep == f.rep_id)
    if f.customer_id is not None:
        query = query.where(UsageCheck.customer == f.customer_id)
    if f.sold_unit_id is not None:
        query = query.where(UsageCheck.sold_unit == f.sold_unit_id)
    if f.start is not None:
        query = query.where(_moment() >= dt.datetime.combine(f.start, dt.time.min))
    if f.end is not None:
        query = query.where(_moment() < dt.datetime.combine(f.end + dt.timedelta(days=1), dt.time.min))
    return query


def _joined(query):
    return (
        query.join_from(UsageCheck, SoldUnit, on=(UsageCheck.sold_unit == SoldUnit.id))
        .join_from(SoldUnit, Product, on=(SoldUnit.product == Product.id))
    )


def count_checks(f: CheckFilter = CheckFilter()) -> int:  # noqa: B008 (frozen dataclass)
    return _filtered(_joined(UsageCheck.select(fn.COUNT(UsageCheck.id))), f).scalar() or 0


def list_checks(f: CheckFilter = CheckFilter(), offset: int = 0, limit: int | None = None) -> list[CheckRow]:  # noqa: B008
    """Checks newest first (completion, else start), filtered in SQL."""
    query = (
        _joined(
            UsageCheck.select(
                UsageCheck.id, UsageCheck.status, UsageCheck.started_at, UsageCheck.completed_at, UsageCheck.score,
                UsageCheck.passed, UsageCheck.customer, UsageCheck.sold_unit, UsageCheck.follow_up,
                Customer.code.alias("customer_code"), Customer.name.alias("customer_name"),
                Product.name.alias("product_name"), SoldUnit.serial_number, ProductCategory.name.alias("category_name"),
                Rep.name.alias("rep_name"), CheckTemplate.name.alias("template_name"),
                CheckTemplate.version.alias("template_version"),
            )
        )
        .join_from(UsageCheck, Customer, on=(UsageCheck.customer == Customer.id))
        .join_from(Product, ProductCategory, JOIN.LEFT_OUTER, on=(Product.category == ProductCategory.id))
        .join_from(UsageCheck, Rep, JOIN.LEFT_OUTER, on=(UsageCheck.rep == Rep.id))
        .join_from(UsageCheck, CheckTemplate, on=(UsageCheck.template == CheckTemplate.id))
    )
    query = _filtered(query, f).order_by(_moment().desc(), UsageCheck.id.desc())
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [
        CheckRow(
            r["id"], CheckStatus(r["status"]), r["started_at"], r["completed_at"], r["score"], r["passed"],
            r["customer"], r["customer_code"], r["customer_name"], r["sold_unit"], r["product_name"],
            r["serial_number"] or "", r["category_name"] or "", r["rep_name"] or "", r["template_name"],
            r["template_version"], r["follow_up"],
        )
        for r in query.dicts()
    ]


def unit_history(sold_unit_id: int) -> list[CheckRow]:
    return list_checks(CheckFilter(sold_unit_id=sold_unit_id))


def customer_history(customer_id: int) -> list[CheckRow]:
    return list_checks(CheckFilter(customer_id=customer_id))


def _due_query(rep_id: int | None, until: dt.datetime | None):
    query = agenda_query(rep_id, [FollowUpState.PLANNED], None, [FollowUpPurpose.USAGE_CHECK]).where(
        FollowUp.sold_unit.is_null(False)
    )
    if until is not None:
        query = query.where(FollowUp.scheduled_at < until)
    return query


def checks_due(
    rep_id: int | None = None,
    until: dt.datetime | None = None,
    offset: int = 0,
    limit: int | None = None,
    now: dt.datetime | None = None,
):
    """Planned correct-use follow-ups (from the plans or scheduled by hand), oldest first, as agenda rows."""
    query = _due_query(rep_id, until)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return agenda_rows(query, now or wall_clock_now())


def count_checks_due(rep_id: int | None = None, until: dt.datetime | None = None) -> int:
    query = FollowUp.select(fn.COUNT(FollowUp.id)).where(
        (FollowUp.state == FollowUpState.PLANNED)
        & (FollowUp.purpose == FollowUpPurpose.USAGE_CHECK)
        & FollowUp.sold_unit.is_null(False)
    )
    if rep_id is not None:
        query = query.where(FollowUp.rep == rep_id)
    if until is not None:
        query = query.where(FollowUp.scheduled_at < until)
    return query.scalar() or 0


@dataclass(frozen=True)
class FailedItemRow:
    family: str
    template_name: str
    question: str
    critical: bool
    not_ok: int
    applicable: int  # answered OK or Not OK
    trained: int  # Not OK and trained on site

    @property
    def failure_rate(self) -> float:
        return self.not_ok / self.applicable if self.applicable else 0.0


@dataclass(frozen=True)
class TemplateFamily:
    family: str
    name: str  # the current (or latest) version's name


def template_families() -> list[TemplateFamily]:
    """Every checklist family with its latest name, by name (the most-failed table's choice)."""
    latest = (
        CheckTemplate.select(CheckTemplate.family, fn.MAX(CheckTemplate.version).alias("version"))
        .group_by(CheckTemplate.family)
        .alias("latest")
    )
    query = (
        CheckTemplate.select(CheckTemplate.family, CheckTemplate.name)
        .join(latest, on=((CheckTemplate.family == latest.c.family) & (CheckTemplate.version == latest.c.version)))
        .order_by(CheckTemplate.name, CheckTemplate.family)
    )
    return [TemplateFamily(f, n) for f, n in query.tuples()]


def most_failed_items(
    start: dt.date | None = None,
    end: dt.date | None = None,
    family: str | None = None,
    limit: int | None = 50,
    *,
    category_id: int | None = None,
    rep_id: int | None = None,
) -> list[FailedItemRow]:
    """Items answered Not OK most often in checks finished in [start, end], per checklist family
    (the same question in several versions counts together). SQL GROUP BY."""
    not_ok = fn.SUM(Case(None, ((CheckAnswer.result == NOT_OK, 1),), 0))
    applicable = fn.SUM(Case(None, ((CheckAnswer.result.in_([OK, NOT_OK]), 1),), 0))
    trained = fn.SUM(Case(None, (((CheckAnswer.result == NOT_OK) & (CheckAnswer.trained_on_site == True), 1),), 0))  # noqa: E712
    query = (
        CheckAnswer.select(
            CheckTemplate.family, fn.MAX(CheckTemplate.name).alias("template_name"), CheckItem.question,
            fn.MAX(CheckItem.critical).alias("critical"), not_ok.alias("not_ok"), applicable.alias("applicable"),
            trained.alias("trained"),
        )
        .join(UsageCheck, on=(CheckAnswer.check == UsageCheck.id))
        .join_from(CheckAnswer, CheckItem, on=(CheckAnswer.item == CheckItem.id))
        .join_from(CheckItem, CheckTemplate, on=(CheckItem.template == CheckTemplate.id))
        .where(UsageCheck.status == CheckStatus.COMPLETED)
        .group_by(CheckTemplate.family, CheckItem.question)
        .having(not_ok > 0)
        .order_by(not_ok.desc(), (not_ok * 1.0 / applicable).desc(), CheckItem.question)
    )
    if start is not None:
        query = query.where(UsageCheck.completed_at >= dt.datetime.combine(start, dt.time.min))
    if end is not None:
        query = query.where(UsageCheck.completed_at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    if family:
        query = query.where(CheckTemplate.family == family)
    if category_id is not None:
        query = query.where(CheckTemplate.category == category_id)
    if rep_id is not None:
        query = query.where(UsageCheck.rep == rep_id)
    if limit is not None:
        query = query.limit(limit)
    return [
        FailedItemRow(r["family"], r["template_name"], r["question"], bool(r["critical"]), int(r["not_ok"]),
                      int(r["applicable"]), int(r["trained"] or 0))
        for r in query.dicts()
    ]


@dataclass(frozen=True)
class UnitChoice:
    id: int
    product_name: str
    serial_number: str
    status: UnitStatus
    has_checklist: bool


def units_to_check(customer_id: int) -> list[UnitChoice]:
    """A customer's sold units (newest first), for starting a check by hand."""
    with_product = {
        p for (p,) in CheckTemplate.select(CheckTemplate.product).where(
            (CheckTemplate.active == True) & CheckTemplate.product.is_null(False)  # noqa: E712
        ).tuples()
    }
    with_category = {
        c for (c,) in CheckTemplate.select(CheckTemplate.category).where(
            (CheckTemplate.active == True) & CheckTemplate.product.is_null()  # noqa: E712
        ).tuples()
    }
    query = (
        SoldUnit.select(SoldUnit.id, Product.name, SoldUnit.serial_number, SoldUnit.status, Product.id, Product.category)
        .join(Product, on=(SoldUnit.product == Product.id))
        .where(SoldUnit.customer == customer_id)
        .order_by(SoldUnit.id.desc())
    )
    return [
        UnitChoice(uid, name, serial or "", UnitStatus(status), pid in with_product or cat in with_category)
        for uid, name, serial, status, pid, cat in query.tuples()
    ]
