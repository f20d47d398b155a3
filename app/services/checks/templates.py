"""Correct-use checklists (seed 002 §5.1.3): versioned templates and the default checklists.

A *template* is one version of a checklist for a product category, or for one product (which
then overrides its category's). Editing a template writes a new version in the same family and
retires the old one, so a check done keeps the questions it was answered against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from peewee import JOIN, fn

from app.i18n import _, current_language
from app.models import (
    CheckItem,
    CheckTemplate,
    Product,
    ProductCategory,
    SoldUnit,
)
from app.models.base import max_length
from app.services import audit
from app.services.errors import NotFoundError, ValidationError
from app.services.transactions import write_command, write_transaction

MAX_QUESTION = 500
MAX_NAME = max_length(CheckTemplate.name)


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
            t.id,
            t.family,
            t.version,
            t.name,
            t.category_id,
            t.category_name or "",
            t.product_id,
            t.product_name or "",
            t.active,
            t.created_at,
            tuple(items[t.id]),
        )
        for t in templates
    ]


def list_templates(include_old_versions: bool = False) -> list[TemplateRow]:
    """Checklists by category then product; only the current versions unless asked."""
    query = _template_query().order_by(
        ProductCategory.name,
        Product.name.is_null(False),
        Product.name,
        CheckTemplate.family,
        CheckTemplate.version,
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
    return [
        ItemInput((i.question or "").strip(), (i.guidance or "").strip(), bool(i.critical)) for i in items
    ]


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
            errors[f"items.{number - 1}.question"] = _("Item {number}: write the question.").format(
                number=number
            )
        elif len(item.question) > MAX_QUESTION:
            errors[f"items.{number - 1}.question"] = _(
                "Item {number}: too long, at most {limit} characters."
            ).format(number=number, limit=MAX_QUESTION)
        elif key in seen:
            errors[f"items.{number - 1}.question"] = _(
                "Item {number} repeats the question of item {first}."
            ).format(number=number, first=seen[key])
        else:
            seen[key] = number
    return errors


def _free_family(base: str) -> str:
    base = base[:34]
    taken = {
        f
        for (f,) in CheckTemplate.select(CheckTemplate.family)
        .where(CheckTemplate.family.startswith(base))
        .tuples()
    }
    family, number = base, 2
    while family in taken:
        family, number = f"{base}-{number}", number + 1
    return family


def _write_items(template_id: int, items: Sequence[ItemInput]) -> None:
    CheckItem.insert_many(
        [
            {
                "template": template_id,
                "position": p,
                "question": i.question,
                "guidance": i.guidance,
                "critical": i.critical,
            }
            for p, i in enumerate(items, start=1)
        ]
    ).execute()


def _items_detail(items: Sequence[ItemInput]) -> list[dict]:
    return [{"question": i.question, "critical": i.critical} for i in items]


def _items_of(template_id: int) -> list[ItemInput]:
    query = (
        CheckItem.select(CheckItem.question, CheckItem.guidance, CheckItem.critical)
        .where(CheckItem.template == template_id)
        .order_by(CheckItem.position)
    )
    return [ItemInput(q, g, c) for q, g, c in query.tuples()]


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
            errors["category_id"] = _(
                "There is already a checklist for it: edit that one to make a new version."
            )
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
        audit.record(
            "create",
            "check_template",
            template.id,
            acting_rep_id,
            label=f"{family} v1",
            family=family,
            version=1,
            name=name,
            items=_items_detail(items),
        )
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
        latest = (
            CheckTemplate.select(fn.MAX(CheckTemplate.version))
            .where(CheckTemplate.family == old.family)
            .scalar()
        )
        CheckTemplate.update(active=False).where(CheckTemplate.family == old.family).execute()
        template = CheckTemplate.create(
            family=old.family, version=latest + 1, name=name, category=old.category_id, product=old.product_id
        )
        _write_items(template.id, items)
        audit.record(
            "create",
            "check_template",
            template.id,
            acting_rep_id,
            label=f"{old.family} v{template.version}",
            changes=audit.differences(
                {"name": old.name, "items": _items_detail(_items_of(old.id))},
                {"name": name, "items": _items_detail(items)},
            ),
            context={"previous": old.id},
            version=template.version,
        )
    return template.id


@write_command
def retire_template(template_id: int, acting_rep_id: int | None = None) -> None:
    """No new checks with this family (the category's checklist, if any, is used instead)."""
    old = CheckTemplate.get_or_none(CheckTemplate.id == template_id)
    if old is None:
        raise NotFoundError(_("The checklist no longer exists."))
    with write_transaction():
        CheckTemplate.update(active=False).where(CheckTemplate.family == old.family).execute()
        audit.record(
            "retire",
            "check_template",
            old.id,
            acting_rep_id,
            label=f"{old.family} v{old.version}",
            changes={"active": (True, False)},
        )


# --- default templates -------------------------------------------------------------------

# (question, guidance, critical) in Spanish and in English, by demo category code.
_Q = tuple[str, str, bool]
DEFAULT_CHECKLISTS: dict[str, dict[str, list[_Q]]] = {
    "coffee": {
        "es": [
            ("El cliente sabe llenar el depósito de agua y colocar la bandeja de goteo.", "", False),
            (
                "Se ha ajustado la dureza del agua según la zona.",
                "Mida con la tira reactiva de la caja.",
                False,
            ),
            (
                "El cliente sabe lanzar el programa de descalcificación.",
                "Enséñele a descalcificar con el kit.",
                True,
            ),
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
            (
                "Se han retirado los tornillos de transporte.",
                "Si siguen puestos, retírelos antes de irse.",
                True,
            ),
            (
                "La lavadora está nivelada y no vibra al centrifugar.",
                "Compruébelo con un centrifugado corto.",
                True,
            ),
            ("El cliente elige el programa y la temperatura adecuados para cada tejido.", "", False),
            ("El cliente sabe dosificar el detergente y dónde ponerlo.", "", False),
            ("El cliente sabe limpiar el filtro de la bomba.", "", False),
            ("Se ha explicado el programa eco y su consumo.", "", False),
        ],
        "en": [
            (
                "The transport bolts have been removed.",
                "If they are still in, remove them before leaving.",
                True,
            ),
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
            (
                "No hay fugas en la toma de agua ni en el desagüe.",
                "Revise las conexiones con el aparato en marcha.",
                True,
            ),
        ],
        "en": [
            ("Water hardness is set and the salt container is filled.", "", True),
            ("The customer loads the baskets correctly.", "", False),
            ("The customer can clean the filters.", "", False),
            ("The customer refills the rinse aid.", "", False),
            (
                "There are no leaks at the water inlet or the drain.",
                "Check the connections while it runs.",
                True,
            ),
        ],
    },
    "fridge": {
        "es": [
            (
                "El aparato ha reposado antes de conectarlo.",
                "Al menos 4 horas de pie tras el transporte.",
                True,
            ),
            ("Las temperaturas están ajustadas (4 °C y −18 °C).", "", False),
            ("Se ha dejado espacio de ventilación detrás del aparato.", "", False),
            ("El cliente sabe cambiar el filtro de agua del dispensador.", "", False),
            ("El cliente conoce la alarma de puerta abierta.", "", False),
        ],
        "en": [
            (
                "The appliance stood upright before being switched on.",
                "At least 4 hours after transport.",
                True,
            ),
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
            (
                "El cliente sabe limpiar los filtros de la unidad interior.",
                "Enséñele a sacarlos y lavarlos.",
                True,
            ),
            ("El desagüe de condensados funciona sin goteos.", "", True),
            ("El cliente ha configurado la aplicación de control por wifi.", "", False),
            ("La unidad exterior está bien fijada y no vibra.", "", False),
        ],
        "en": [
            ("The customer uses the remote: cooling, heating, dry and fan modes.", "", False),
            ("The recommended temperature has been explained (26 °C in summer, 20 °C in winter).", "", False),
            (
                "The customer can clean the indoor unit's filters.",
                "Show how to take them out and wash them.",
                True,
            ),
            ("The condensate drain works without dripping.", "", True),
            ("The customer has set up the wifi control app.", "", False),
            ("The outdoor unit is firmly fixed and does not vibrate.", "", False),
        ],
    },
    "ebike": {
        "es": [
            (
                "El cliente sabe cargar y conservar la batería.",
                "Cargar a temperatura ambiente; no dejarla vacía.",
                True,
            ),
            ("Se han explicado los niveles de asistencia y la autonomía.", "", False),
            ("Los frenos están ajustados y el cliente sabe comprobarlos.", "", True),
            ("La presión de los neumáticos es la recomendada.", "", False),
            ("El cliente conoce la revisión gratuita de los 500 km.", "", False),
            ("El registro antirrobo del cuadro está hecho.", "", False),
        ],
        "en": [
            (
                "The customer can charge and store the battery.",
                "Charge at room temperature; never leave it empty.",
                True,
            ),
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
            c
            for (c,) in CheckTemplate.select(CheckTemplate.category)
            .where(CheckTemplate.product.is_null())
            .tuples()
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
            audit.record(
                "create",
                "check_template",
                template.id,
                acting_rep_id,
                label=f"{template.family} v1",
                name=name,
                context={"default": True, "language": language},
            )
            created += 1
    return created
