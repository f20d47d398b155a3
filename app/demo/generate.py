"""Demo data: a realistic, reproducible after-sales history of a Spanish company.

`generate_demo` fills the open, empty database with reps, customers, a catalogue,
sales with serialised units, follow-up plans and the follow-ups they created (done,
missed, cancelled, overdue and still to come), correct-use checks, warranty returns
in every state, complaints, claims, suggestions and compliments in every stage,
satisfaction surveys and one active service charter of each type. The same seed and
`today` give the same rows.

The names, places, products and texts below are the fictitious company's own data,
in Spanish as its staff would type them, not interface text: they do not go
through `_()`.

Speed: ids are assigned here, so no row is read back, and each table is written in
batches through one prepared INSERT (DB-API `executemany`) inside one transaction,
so a cancel (an exception from `progress`) leaves the database as it was.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import json
import os
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal

from peewee import Field, fn

from app.demo.histories import COMPLAINT_PATHS as _COMPLAINT_PATHS
from app.demo.histories import NOTE_PATHS as _NOTE_PATHS
from app.demo.histories import RETURN_PATHS as _RETURN_PATHS
from app.i18n import _
from app.models import (
    ALL_MODELS,
    BaseModel,
    Case,
    CaseProposal,
    CaseStageChange,
    CharterCommitment,
    CheckAnswer,
    CheckItem,
    CheckTemplate,
    CompanySetting,
    Customer,
    CustomerNeedTag,
    FollowUp,
    FollowUpPlan,
    FollowUpPlanStep,
    NeedTag,
    Product,
    ProductCategory,
    Rep,
    ReturnStatusChange,
    Sale,
    SaleLine,
    SatisfactionSurvey,
    ServiceCharter,
    SoldUnit,
    UsageCheck,
    WarrantyReturn,
    db,
)
from app.models.charters import scope_text
from app.models.collation import sort_key
from app.models.customers import customer_search_text, fold_for_search, fold_key
from app.models.dialect import (
    bulk_load,
    customer_profiles_stale_after,
    customers_inserted_in_bulk,
    indexes_made_after,
    reset_sequences,
)
from app.models.enums import (
    CaseCategory,
    CaseKind,
    CaseSeries,
    CaseStage,
    CharterIndicator,
    CharterPeriod,
    CharterType,
    CheckAnswerResult,
    CheckStatus,
    ContactChannel,
    CustomerKind,
    DissatisfactionCause,
    FollowUpKind,
    FollowUpOutcome,
    FollowUpPurpose,
    FollowUpState,
    OutOfWarrantyReason,
    ProposalAnswer,
    RepRole,
    ReturnReason,
    ReturnState,
    Severity,
    SolutionType,
    StepAnchor,
    UnitStatus,
)
from app.services import company
from app.services.company import load_company_settings, save_company_settings
from app.services.errors import DomainError
from app.services.followups import (
    DEFAULT_MAX_ATTEMPTS,
    NOT_REACHED_OUTCOMES,
    RETRY_OUTCOMES,
    customer_address,
    outcomes_for,
)
from app.services.followups.placement import PlacementBook, PlacementRules
from app.services.followups.working_days import holidays_in
from app.services.sales import SALE_NUMBER_WIDTH, sale_number_prefix
from app.services.sales.warranty import WarrantyStatus, warranty_end_date
from app.services.transactions import write_transaction

# --------------------------------------------------------------------------- the demo company's data

COMPANY_NAME = "Hogar y Clima del Centro, S.L."
COMPANY_ADDRESS = "Calle de Alcalá 214, 28028 Madrid"
COMPANY_DOMAIN = "hogarclima.es"

# (name, role is manager)
REPS = [
    ("María José Fernández Ruiz", True),
    ("Javier Muñoz Ortega", True),
    ("Lucía Martín Peña", False),
    ("Álvaro Sánchez Iglesias", False),
    ("Carmen Núñez Domínguez", False),
    ("Sergio Castaño Rubio", False),
    ("Begoña Ibáñez Herrera", False),
    ("Raúl Gómez Zúñiga", False),
]
# Reps whose working hours differ from the company's (a shorter, morning-only day).
REP_HOURS = {"Begoña Ibáñez Herrera": (dt.time(8, 0), dt.time(15, 0))}

FEMALE_NAMES = [
    "María",
    "Carmen",
    "Lucía",
    "Ana",
    "Isabel",
    "Laura",
    "Cristina",
    "Marta",
    "Elena",
    "Sofía",
    "Paula",
    "Inés",
    "Begoña",
    "Nuria",
    "Rocío",
    "Mónica",
    "Verónica",
    "Pilar",
    "Mercedes",
    "Ángela",
    "Raquel",
    "Beatriz",
    "Ainhoa",
    "Nerea",
    "Montserrat",
    "Concepción",
    "Dolores",
    "Lourdes",
    "Maite",
    "Julia",
    "Noelia",
    "Susana",
    "Teresa",
    "Yolanda",
    "Patricia",
    "Silvia",
    "Eva",
    "Irene",
    "Alba",
    "Natalia",
    "María José",
    "María Ángeles",
    "Ana Belén",
    "María del Mar",
    "Encarnación",
    "Remedios",
]
MALE_NAMES = [
    "José",
    "Antonio",
    "Manuel",
    "Francisco",
    "Juan",
    "David",
    "Javier",
    "Daniel",
    "Carlos",
    "Jesús",
    "Alejandro",
    "Miguel",
    "Rafael",
    "Pablo",
    "Sergio",
    "Fernando",
    "Jorge",
    "Luis",
    "Álvaro",
    "Adrián",
    "Ángel",
    "Raúl",
    "Íñigo",
    "Iñaki",
    "Joaquín",
    "Ramón",
    "Andrés",
    "Óscar",
    "Rubén",
    "Víctor",
    "Tomás",
    "Agustín",
    "Sebastián",
    "Nicolás",
    "Hugo",
    "Martín",
    "Gonzalo",
    "Jaime",
    "Ignacio",
    "Marcos",
    "José Luis",
    "Juan Carlos",
    "José María",
    "Francisco Javier",
    "Jesús Ángel",
]
SURNAMES = [
    "García",
    "Fernández",
    "González",
    "Rodríguez",
    "López",
    "Martínez",
    "Sánchez",
    "Pérez",
    "Gómez",
    "Martín",
    "Jiménez",
    "Ruiz",
    "Hernández",
    "Díaz",
    "Moreno",
    "Muñoz",
    "Álvarez",
    "Romero",
    "Alonso",
    "Gutiérrez",
    "Navarro",
    "Torres",
    "Domínguez",
    "Vázquez",
    "Ramos",
    "Gil",
    "Ramírez",
    "Serrano",
    "Blanco",
    "Molina",
    "Morales",
    "Suárez",
    "Ortega",
    "Delgado",
    "Castro",
    "Ortiz",
    "Rubio",
    "Marín",
    "Sanz",
    "Núñez",
    "Iglesias",
    "Medina",
    "Garrido",
    "Cortés",
    "Castillo",
    "Santos",
    "Lozano",
    "Guerrero",
    "Cano",
    "Prieto",
    "Méndez",
    "Cruz",
    "Calvo",
    "Gallego",
    "Vidal",
    "León",
    "Herrera",
    "Márquez",
    "Peña",
    "Cabrera",
    "Flores",
    "Campos",
    "Vega",
    "Fuentes",
    "Carrasco",
    "Díez",
    "Caballero",
    "Reyes",
    "Nieto",
    "Aguilar",
    "Pascual",
    "Santana",
    "Herrero",
    "Lorenzo",
    "Montero",
    "Hidalgo",
    "Giménez",
    "Ibáñez",
    "Ferrer",
    "Durán",
    "Santiago",
    "Benítez",
    "Mora",
    "Vicente",
    "Vargas",
    "Arias",
    "Carmona",
    "Crespo",
    "Román",
    "Pastor",
    "Soto",
    "Sáez",
    "Velasco",
    "Moya",
    "Soler",
    "Parra",
    "Esteban",
    "Bravo",
    "Gallardo",
    "Rojas",
    "Muñiz",
    "Castaño",
    "Cañete",
    "Zúñiga",
    "Quiñones",
    "Peñalver",
    "Ordóñez",
    "Yáñez",
    "Montaña",
    "Espín",
    "Begoña",
    "Ezquerra",
    "Urquijo",
    "Echeverría",
    "Goñi",
    "Añón",
    "Núñez de Arce",
    "Villaseñor",
]
PLACES = [
    "La Cigüeña",
    "El Señorío",
    "La Montaña",
    "El Castaño",
    "Los Álamos",
    "La Bodeguilla",
    "El Rincón de Begoña",
    "Las Dehesas",
    "El Peñón",
    "La Alameda",
    "Doña Jimena",
    "El Mesón de Íñigo",
    "La Ribera",
    "Puerta del Sol",
    "San Ginés",
    "El Olivar",
    "La Campiña",
    "Los Ángeles",
    "Santa Úrsula",
    "El Molino",
    "La Dársena",
    "El Cañaveral",
    "Las Acacias",
    "La Peña Blanca",
]
# {s} surname, {t} second surname, {p} place, {f} first name, {c} city; the flag says a CIF (not a NIF).
COMPANY_PATTERNS = [
    ("Restaurante {p}", False),
    ("Cafetería {p}", False),
    ("Hotel {p}", True),
    ("Bar {p}", False),
    ("Clínica Dental {s}", True),
    ("Talleres {s} e Hijos, S.L.", True),
    ("{s} y {t} Asociados, S.L.", True),
    ("Construcciones {s}, S.A.", True),
    ("Panadería {p}", False),
    ("Bodegas {s}, S.L.", True),
    ("Peluquería {f}", False),
    ("Gestoría {s}, S.L.P.", True),
    ("Cooperativa Agrícola de {c}", True),
    ("Hostal {p}", False),
    ("Farmacia {s} {t}", False),
    ("Academia {p}", True),
    ("Residencia {p}, S.L.", True),
    ("Oficinas {s} Consultores, S.L.", True),
    ("Gimnasio {p}", True),
    ("Inmobiliaria {s}, S.L.", True),
]
STREETS = [
    "Calle Mayor",
    "Calle de Alcalá",
    "Calle Real",
    "Calle del Sol",
    "Avenida de Andalucía",
    "Calle Nueva",
    "Calle San José",
    "Calle de la Iglesia",
    "Calle Cervantes",
    "Calle Goya",
    "Calle Núñez de Balboa",
    "Avenida de España",
    "Calle Ramón y Cajal",
    "Calle Doctor Fleming",
    "Calle Ancha",
    "Calle de la Peña",
    "Travesía del Río",
    "Camino Viejo",
    "Plaza de España",
    "Avenida de la Constitución",
    "Calle Príncipe de Vergara",
    "Paseo de la Castellana",
    "Calle Castaños",
    "Calle Begoña",
    "Ronda de Segovia",
    "Calle Valle de Arán",
    "Avenida del Ejército",
    "Calle Fray Luis de León",
    "Calle Antonio Machado",
    "Calle Jacinto Benavente",
    "Calle Doña Urraca",
]
FLOORS = [
    "",
    "",
    "",
    ", bajo",
    ", 1.º A",
    ", 1.º B",
    ", 2.º izda.",
    ", 2.º dcha.",
    ", 3.º C",
    ", 4.º D",
    ", 5.º 2.ª",
    ", ático",
]
EMAIL_DOMAINS = [
    ("gmail.com", 45),
    ("hotmail.com", 12),
    ("hotmail.es", 6),
    ("yahoo.es", 5),
    ("outlook.es", 10),
    ("telefonica.net", 5),
    ("icloud.com", 6),
    ("movistar.es", 4),
    ("orange.es", 4),
    ("protonmail.com", 3),
]
# (city, province, first postal code, how many codes, telephone prefix, weight)
CITIES = [
    ("Madrid", "Madrid", 28001, 55, "91", 24),
    ("Alcalá de Henares", "Madrid", 28801, 7, "91", 3),
    ("Móstoles", "Madrid", 28931, 8, "91", 3),
    ("Getafe", "Madrid", 28901, 9, "91", 3),
    ("Leganés", "Madrid", 28911, 9, "91", 2),
    ("Alcobendas", "Madrid", 28100, 9, "91", 2),
    ("Pozuelo de Alarcón", "Madrid", 28223, 2, "91", 1),
    ("Las Rozas de Madrid", "Madrid", 28230, 2, "91", 1),
    ("Torrejón de Ardoz", "Madrid", 28850, 1, "91", 2),
    ("Aranjuez", "Madrid", 28300, 1, "91", 1),
    ("Barcelona", "Barcelona", 8001, 42, "93", 6),
    ("L'Hospitalet de Llobregat", "Barcelona", 8901, 8, "93", 1),
    ("Sabadell", "Barcelona", 8201, 8, "93", 1),
    ("Valencia", "Valencia", 46001, 26, "96", 4),
    ("Alicante", "Alicante", 3001, 16, "965", 2),
    ("Elche", "Alicante", 3201, 8, "966", 1),
    ("Castellón de la Plana", "Castellón", 12001, 6, "964", 1),
    ("Sevilla", "Sevilla", 41001, 20, "954", 3),
    ("Málaga", "Málaga", 29001, 18, "952", 3),
    ("Marbella", "Málaga", 29601, 3, "952", 1),
    ("Córdoba", "Córdoba", 14001, 14, "957", 1),
    ("Granada", "Granada", 18001, 14, "958", 2),
    ("Jaén", "Jaén", 23001, 9, "953", 1),
    ("Almería", "Almería", 4001, 9, "950", 1),
    ("Cádiz", "Cádiz", 11001, 12, "956", 1),
    ("Jerez de la Frontera", "Cádiz", 11401, 8, "956", 1),
    ("Huelva", "Huelva", 21001, 7, "959", 1),
    ("Zaragoza", "Zaragoza", 50001, 20, "976", 2),
    ("Huesca", "Huesca", 22001, 6, "974", 1),
    ("Teruel", "Teruel", 44001, 3, "978", 1),
    ("Bilbao", "Bizkaia", 48001, 15, "94", 2),
    ("Donostia-San Sebastián", "Gipuzkoa", 20001, 18, "943", 1),
    ("Vitoria-Gasteiz", "Araba/Álava", 1001, 15, "945", 1),
    ("Pamplona", "Navarra", 31001, 15, "948", 1),
    ("Logroño", "La Rioja", 26001, 9, "941", 1),
    ("Santander", "Cantabria", 39001, 12, "942", 1),
    ("Oviedo", "Asturias", 33001, 13, "985", 1),
    ("Gijón", "Asturias", 33201, 13, "985", 1),
    ("A Coruña", "A Coruña", 15001, 11, "981", 1),
    ("Santiago de Compostela", "A Coruña", 15701, 5, "981", 1),
    ("Vigo", "Pontevedra", 36201, 15, "986", 1),
    ("Ourense", "Ourense", 32001, 5, "988", 1),
    ("Lugo", "Lugo", 27001, 4, "982", 1),
    ("León", "León", 24001, 10, "987", 1),
    ("Valladolid", "Valladolid", 47001, 16, "983", 2),
    ("Burgos", "Burgos", 9001, 7, "947", 1),
    ("Salamanca", "Salamanca", 37001, 8, "923", 1),
    ("Segovia", "Segovia", 40001, 6, "921", 1),
    ("Ávila", "Ávila", 5001, 5, "920", 1),
    ("Toledo", "Toledo", 45001, 8, "925", 2),
    ("Talavera de la Reina", "Toledo", 45600, 1, "925", 1),
    ("Guadalajara", "Guadalajara", 19001, 5, "949", 2),
    ("Cuenca", "Cuenca", 16001, 4, "969", 1),
    ("Ciudad Real", "Ciudad Real", 13001, 5, "926", 1),
    ("Albacete", "Albacete", 2001, 6, "967", 1),
    ("Murcia", "Murcia", 30001, 12, "968", 2),
    ("Cartagena", "Murcia", 30201, 5, "968", 1),
    ("Badajoz", "Badajoz", 6001, 11, "924", 1),
    ("Cáceres", "Cáceres", 10001, 5, "927", 1),
    ("Palma", "Illes Balears", 7001, 15, "971", 1),
    ("Las Palmas de Gran Canaria", "Las Palmas", 35001, 19, "928", 1),
    ("Santa Cruz de Tenerife", "Santa Cruz de Tenerife", 38001, 11, "922", 1),
]
NEED_TAGS = [
    "Necesita instalación",
    "Sensible al precio",
    "Cliente profesional",
    "Prefiere visita presencial",
    "Interesado en financiación",
    "Persona mayor: explicar con calma",
    "Interesado en eficiencia energética",
    "Varias viviendas",
    "Solo por la tarde",
    "Pide factura a empresa",
    "Interesado en mantenimiento",
]
CUSTOMER_NOTES = [
    "Prefiere que le llamen por la tarde.",
    "Portero automático averiado: llamar al móvil al llegar.",
    "Cliente desde la apertura de la tienda.",
    "Pide que se hable con su hija para temas técnicos.",
    "Aparcamiento difícil: avisar con antelación.",
    "Habla mejor en inglés.",
    "Solo facturas electrónicas.",
]


@dataclass(frozen=True)
class Step:
    offset_days: int
    kind: FollowUpKind
    purpose: FollowUpPurpose
    minutes: int
    anchor: StepAnchor = StepAnchor.DELIVERY


_CALL, _VISIT, _VIDEO, _EMAIL, _TELE = (
    FollowUpKind.CALL,
    FollowUpKind.VISIT,
    FollowUpKind.VIDEO,
    FollowUpKind.EMAIL,
    FollowUpKind.TELEMARKETING,
)
_P = FollowUpPurpose
PLAN_HOME = [
    Step(2, _CALL, _P.DELIVERY, 10),
    Step(15, _VISIT, _P.USAGE_CHECK, 45),
    Step(90, _CALL, _P.SATISFACTION, 10),
    Step(180, _TELE, _P.COMMERCIAL, 10),
    Step(330, _CALL, _P.WARRANTY, 10),
]
PLAN_SMALL = [
    Step(2, _CALL, _P.DELIVERY, 10),
    Step(10, _VIDEO, _P.USAGE_CHECK, 30),
    Step(90, _CALL, _P.SATISFACTION, 10),
    Step(200, _EMAIL, _P.COMMERCIAL, 5),
    Step(330, _CALL, _P.WARRANTY, 10),
]
PLAN_CLIMATE = [
    Step(1, _CALL, _P.DELIVERY, 10),
    Step(7, _VISIT, _P.USAGE_CHECK, 60),
    Step(90, _CALL, _P.SATISFACTION, 15),
    # The pre-season maintenance offer counts from the satisfaction call.
    Step(150, _TELE, _P.COMMERCIAL, 10, StepAnchor.PREVIOUS),
    Step(330, _CALL, _P.WARRANTY, 10),
]
PLAN_SOLAR = [
    Step(2, _CALL, _P.DELIVERY, 10),
    Step(10, _VISIT, _P.USAGE_CHECK, 60),
    Step(90, _VIDEO, _P.SATISFACTION, 20),
    Step(365, _VISIT, _P.COMMERCIAL, 45),
]
PLAN_EBIKE = [
    Step(2, _CALL, _P.DELIVERY, 10),
    Step(20, _VIDEO, _P.USAGE_CHECK, 30),
    Step(90, _CALL, _P.SATISFACTION, 10),
    Step(180, _TELE, _P.COMMERCIAL, 10),
    Step(330, _CALL, _P.WARRANTY, 10),
]


@dataclass(frozen=True)
class CategorySpec:
    code: str
    name: str
    prefix: str  # SKU and serial number prefix
    installed: bool  # delivered by installation (longer lead time)
    plan: list[Step] | None
    checklist: list[tuple[str, bool]]  # (question, critical)
    # (model, warranty months, price, professional)
    products: list[tuple[str, int, float, bool]]
    person_weight: int
    company_weight: int
    accessory: int | None = None  # index into ACCESSORIES sold with it


ACCESSORIES = [
    ("Kit de descalcificación (3 uds.)", 12, 19.90),
    ("Filtro de agua para frigorífico", 12, 29.90),
    ("Soporte de pared para televisor", 12, 49.90),
    ("Casco urbano con luz", 12, 59.00),
    ("Pastillas para lavavajillas (100 uds.)", 12, 24.50),
    ("Bolsas y cepillos de repuesto", 12, 34.90),
]

CATEGORIES = [
    CategorySpec(
        "coffee",
        "Cafeteras",
        "CAF",
        False,
        PLAN_SMALL,
        [
            ("El cliente sabe llenar el depósito de agua y colocar la bandeja de goteo.", False),
            ("Se ha ajustado la dureza del agua según la zona.", False),
            ("El cliente sabe lanzar el programa de descalcificación.", True),
            ("El cliente limpia el grupo de café y el vaporizador de leche después de usarlo.", False),
            ("Se ha configurado el molido y la cantidad de café.", False),
            ("El cliente conoce las señales de aviso del panel.", False),
        ],
        [
            ("Cafetera superautomática Barista Pro", 36, 899.0, False),
            ("Cafetera superautomática Crema Táctil", 24, 649.0, False),
            ("Cafetera espresso manual Clásica 15 bar", 24, 229.0, False),
            ("Cafetera profesional dos grupos Hostelería", 12, 3450.0, True),
        ],
        12,
        20,
        0,
    ),
    CategorySpec(
        "washing",
        "Lavadoras",
        "LAV",
        False,
        PLAN_HOME,
        [
            ("Se han retirado los tornillos de transporte.", True),
            ("La lavadora está nivelada y no vibra al centrifugar.", True),
            ("El cliente elige el programa y la temperatura adecuados para cada tejido.", False),
            ("El cliente sabe dosificar el detergente y dónde ponerlo.", False),
            ("El cliente sabe limpiar el filtro de la bomba.", False),
            ("Se ha explicado el programa eco y su consumo.", False),
        ],
        [
            ("Lavadora carga frontal 8 kg", 36, 479.0, False),
            ("Lavadora carga frontal 10 kg con vapor", 36, 649.0, False),
            ("Lavadora-secadora 9/6 kg", 24, 799.0, False),
            ("Lavadora carga superior 7 kg", 24, 429.0, False),
            ("Lavadora industrial 14 kg", 12, 4290.0, True),
        ],
        18,
        6,
    ),
    CategorySpec(
        "dishwasher",
        "Lavavajillas",
        "LVV",
        False,
        PLAN_HOME,
        [
            ("Se ha configurado la dureza del agua y se ha llenado la sal.", True),
            ("El cliente carga la vajilla correctamente en las cestas.", False),
            ("El cliente sabe limpiar los filtros.", False),
            ("El cliente rellena el abrillantador.", False),
            ("No hay fugas en la toma de agua ni en el desagüe.", True),
        ],
        [
            ("Lavavajillas integrable 60 cm", 24, 599.0, False),
            ("Lavavajillas libre instalación 45 cm", 24, 449.0, False),
            ("Lavavajillas industrial de capota", 12, 2890.0, True),
        ],
        10,
        12,
        4,
    ),
    CategorySpec(
        "fridge",
        "Frigoríficos",
        "FRI",
        False,
        PLAN_HOME,
        [
            ("El aparato ha reposado antes de conectarlo.", True),
            ("Las temperaturas están ajustadas (4 °C y −18 °C).", False),
            ("Se ha dejado espacio de ventilación detrás del aparato.", False),
            ("El cliente sabe cambiar el filtro de agua del dispensador.", False),
            ("El cliente conoce la alarma de puerta abierta.", False),
        ],
        [
            ("Frigorífico combi No Frost 2 m", 36, 729.0, False),
            ("Frigorífico americano con dispensador", 24, 1399.0, False),
            ("Arcón congelador 300 l", 24, 389.0, False),
            ("Armario refrigerado de hostelería", 12, 1690.0, True),
        ],
        14,
        10,
        1,
    ),
    CategorySpec(
        "aircon",
        "Aire acondicionado",
        "CLI",
        True,
        PLAN_CLIMATE,
        [
            ("El cliente maneja el mando: frío, calor, deshumidificación y ventilación.", False),
            ("Se ha explicado la temperatura recomendada (26 °C en verano, 20 °C en invierno).", False),
            ("El cliente sabe limpiar los filtros de la unidad interior.", True),
            ("El desagüe de condensados funciona sin goteos.", True),
            ("El cliente ha configurado la aplicación de control por wifi.", False),
            ("La unidad exterior está bien fijada y no vibra.", False),
        ],
        [
            ("Split inverter 3.000 frigorías", 36, 749.0, False),
            ("Split inverter 4.500 frigorías", 36, 989.0, False),
            ("Multisplit 2x1 inverter", 36, 1849.0, False),
            ("Aerotermia 8 kW con depósito de ACS", 60, 6990.0, False),
            ("Climatización por conductos 6 kW", 36, 2790.0, True),
        ],
        12,
        20,
    ),
    CategorySpec(
        "ebike",
        "Bicicletas eléctricas",
        "BIC",
        False,
        PLAN_EBIKE,
        [
            ("El cliente sabe cargar y conservar la batería.", True),
            ("Se han explicado los niveles de asistencia y la autonomía.", False),
            ("Los frenos están ajustados y el cliente sabe comprobarlos.", True),
            ("La presión de los neumáticos es la recomendada.", False),
            ("El cliente conoce la revisión gratuita de los 500 km.", False),
            ("El registro antirrobo del cuadro está hecho.", False),
        ],
        [
            ("Bicicleta eléctrica urbana Ciudad 500", 24, 1499.0, False),
            ("Bicicleta eléctrica de montaña Sierra 625 Wh", 24, 3299.0, False),
            ("Bicicleta eléctrica plegable Metro", 24, 1199.0, False),
            ("Bicicleta eléctrica de carga Familia", 24, 3990.0, True),
        ],
        6,
        6,
        3,
    ),
    CategorySpec(
        "solar",
        "Paneles solares",
        "SOL",
        True,
        PLAN_SOLAR,
        [
            ("El inversor está conectado y muestra producción.", True),
            ("El cliente ha activado la aplicación de monitorización.", False),
            ("Se ha explicado cómo leer la producción y el autoconsumo.", False),
            ("El cliente conoce la limpieza recomendada de los paneles.", False),
            ("Se ha entregado el certificado de instalación eléctrica (CIE).", True),
            ("El cliente sabe qué hacer ante una alarma del inversor.", False),
        ],
        [
            ("Kit de autoconsumo 3 kWp", 60, 4290.0, False),
            ("Kit de autoconsumo 5 kWp con batería de 5 kWh", 60, 8950.0, False),
            ("Inversor híbrido 6 kW", 60, 1890.0, False),
            ("Instalación fotovoltaica industrial 20 kWp", 60, 19800.0, True),
        ],
        3,
        10,
    ),
    CategorySpec(
        "tv",
        "Televisores",
        "TV",
        False,
        PLAN_SMALL,
        [
            ("Se ha sintonizado la TDT y ordenado los canales.", False),
            ("El televisor está conectado a la wifi y actualizado.", False),
            ("El cliente sabe cambiar de fuente (HDMI, TDT, aplicaciones).", False),
            ("Se han configurado las aplicaciones que usa el cliente.", False),
            ("El soporte de pared está bien fijado.", True),
        ],
        [
            ("Televisor OLED 55 pulgadas", 24, 1299.0, False),
            ("Televisor LED 4K 65 pulgadas", 24, 799.0, False),
            ("Televisor LED 43 pulgadas", 24, 379.0, False),
            ("Pantalla profesional de cartelería 55 pulgadas", 36, 1150.0, True),
        ],
        12,
        8,
        2,
    ),
    CategorySpec(
        "vacuum",
        "Robots aspiradores",
        "ROB",
        False,
        PLAN_SMALL,
        [
            ("La base de carga está en un lugar despejado.", True),
            ("Se ha creado el mapa de la vivienda en la aplicación.", False),
            ("El cliente sabe vaciar el depósito y limpiar los cepillos.", False),
            ("Se han definido zonas prohibidas y horarios.", False),
            ("El cliente sabe usar la función de fregado.", False),
        ],
        [
            ("Robot aspirador con mopa R7", 24, 449.0, False),
            ("Robot aspirador con base de autovaciado R9", 24, 699.0, False),
        ],
        8,
        3,
        5,
    ),
    CategorySpec(
        "heating",
        "Calderas y termos",
        "CAL",
        True,
        PLAN_HOME,
        [
            ("La presión del circuito está entre 1 y 1,5 bar.", True),
            ("El cliente sabe rellenar el circuito si baja la presión.", False),
            ("Se ha programado el termostato según los horarios de la vivienda.", False),
            ("El cliente conoce los códigos de error más habituales.", False),
            ("La salida de humos está revisada y sellada.", True),
            ("Se ha explicado la revisión obligatoria periódica.", False),
        ],
        [
            ("Caldera de condensación 24 kW", 60, 1790.0, False),
            ("Termo eléctrico 80 l", 36, 259.0, False),
            ("Calentador estanco 11 l", 36, 389.0, False),
            ("Caldera de condensación 45 kW para comunidades", 60, 4890.0, True),
        ],
        5,
        5,
    ),
]
ACCESSORY_CATEGORY = ("accessories", "Accesorios y consumibles", "ACC")
# Each category's replacement cycle in months (the at-risk list, issue 22): how long such a product
# usually lasts before the customer buys another. Accessories and consumables have none: the
# customer's own buying rhythm counts.
REPLACEMENT_MONTHS = {
    "coffee": 60,
    "washing": 108,
    "dishwasher": 108,
    "fridge": 120,
    "aircon": 144,
    "ebike": 72,
    "solar": 300,
    "tv": 84,
    "vacuum": 60,
    "heating": 144,
}
# The second version of this checklist family adds an item; older checks keep version 1.
REVISED_CHECKLIST = (
    "aircon",
    "Se ha registrado el equipo en la web del fabricante para ampliar la garantía.",
)

CANCEL_REASONS = [
    "El cliente no desea más llamadas.",
    "Cita duplicada.",
    "El cliente se ha mudado.",
    "Reprogramada a petición del cliente.",
    "El cliente prefiere que le escriban.",
]
RETURNED_PRODUCT_REASON = "Producto devuelto y abonado."
DONE_NOTES = {
    FollowUpPurpose.DELIVERY: [
        "Entrega correcta; el cliente está contento.",
        "Todo en orden tras la entrega.",
        "La caja llegó algo golpeada, pero el aparato está bien.",
        "Se confirma la entrega y la factura.",
    ],
    FollowUpPurpose.USAGE_CHECK: [
        "Revisión de uso completada.",
        "Se repasa el manual con el cliente.",
        "Se dejan anotados los ajustes recomendados.",
        "El cliente ya lo usaba correctamente.",
    ],
    FollowUpPurpose.SATISFACTION: [
        "Encuesta realizada.",
        "El cliente valora bien la atención.",
        "Comenta que el consumo es menor que el anterior.",
    ],
    FollowUpPurpose.COMMERCIAL: [
        "Interesado en el contrato de mantenimiento.",
        "No necesita nada por ahora.",
        "Se envía oferta de extensión de garantía.",
        "Pide presupuesto para otra vivienda.",
    ],
    FollowUpPurpose.WARRANTY: [
        "Se informa del fin de la garantía.",
        "Contrata la ampliación de garantía.",
        "Se informa de la resolución de la devolución.",
    ],
    FollowUpPurpose.TRAINING: ["Se repiten las explicaciones pendientes.", "Formación completada."],
    FollowUpPurpose.CASE: [
        "El cliente da su respuesta a la propuesta.",
        "Se explica la propuesta con detalle.",
    ],
}
NOT_REACHED_NOTES = ["No contesta.", "Buzón de voz.", "El cliente no estaba en casa.", "Teléfono apagado."]
MARKED_MISSED_NOTES = ["No se pudo realizar a tiempo.", "El comercial no pudo acudir."]
SURVEY_COMMENTS_GOOD = [
    "Muy buena atención.",
    "El técnico fue muy amable.",
    "Todo perfecto, lo recomendaré.",
    "Rápidos y profesionales.",
    "Me explicaron todo con paciencia.",
]
SURVEY_COMMENTS_BAD = [
    "Tardaron demasiado en venir.",
    "Nadie me devolvió la llamada.",
    "El precio me parece alto.",
    "El aparato ha fallado dos veces.",
    "La entrega se retrasó una semana.",
]
CHECK_FAIL_NOTES = [
    "El cliente no lo conocía; se explica en el momento.",
    "Pendiente: se repetirá en la próxima visita.",
    "Se corrige durante la visita.",
    "Falta una pieza; se pide al almacén.",
]
PRESENT_RELATIONS = ["", "", " y su pareja", " y su hijo", " y su hija"]

RETURN_DESCRIPTIONS = {
    ReturnReason.DEFECT_ON_ARRIVAL: [
        "No enciende al conectarlo por primera vez.",
        "Llegó con la pantalla rota.",
    ],
    ReturnReason.FAILURE_IN_USE: [
        "Deja de funcionar a los pocos minutos.",
        "Hace un ruido muy fuerte.",
        "Pierde agua por la parte inferior.",
        "Muestra un código de error que no desaparece.",
        "La batería no carga.",
    ],
    ReturnReason.TRANSPORT_DAMAGE: ["Golpe en el lateral causado en el transporte."],
    ReturnReason.WRONG_ITEM: ["Se entregó otro modelo distinto al pedido."],
    ReturnReason.NOT_AS_DESCRIBED: ["No tiene la función que indicaba el folleto."],
    ReturnReason.CHANGED_MIND: ["El cliente desiste de la compra dentro del plazo."],
    ReturnReason.OTHER: ["Olor a quemado al usarlo."],
}
INSPECTION_NOTES = [
    "Placa electrónica defectuosa; se sustituye.",
    "Motor bloqueado por un cuerpo extraño.",
    "Junta de la puerta defectuosa.",
    "Sin avería: uso incorrecto, se explica al cliente.",
    "Daño por golpe no cubierto por la garantía.",
    "Sensor de temperatura averiado.",
    "Batería con celdas dañadas.",
    "Fuga en el circuito; se suelda y se recarga.",
]

CASE_WORDS = {
    CaseCategory.PRODUCT_DEFECT: [
        "El aparato dejó de funcionar a las pocas semanas.",
        "Hace un ruido muy fuerte desde el primer día.",
        "Es la segunda vez que se estropea.",
        "Pierde agua y me ha manchado el suelo.",
    ],
    CaseCategory.DELIVERY_DELAY: [
        "Me dijeron que la entrega sería el lunes y llegó diez días después.",
        "Sigo esperando la instalación.",
        "Nadie me avisó del retraso.",
    ],
    CaseCategory.INSTALLATION: [
        "El instalador dejó la pared sin rematar.",
        "La unidad exterior vibra; creo que está mal fijada.",
        "Se olvidaron de conectar el desagüe.",
    ],
    CaseCategory.STAFF_CONDUCT: [
        "La persona que me atendió por teléfono fue muy poco amable.",
        "El repartidor no quiso subir el aparato.",
    ],
    CaseCategory.BILLING: [
        "Me han cobrado dos veces el transporte.",
        "La factura no recoge el descuento acordado.",
        "El recibo de la financiación no coincide con lo firmado.",
    ],
    CaseCategory.INFORMATION: [
        "Nadie me explicó que la garantía no cubre la batería.",
        "El folleto no dice que necesita una toma especial.",
    ],
    CaseCategory.OTHER: ["No me parece bien cómo se ha gestionado mi pedido."],
}
CLAIM_COMPENSATIONS = [
    "Solicito la devolución íntegra del importe.",
    "Pido un descuento del 20 % por las molestias.",
    "Reclamo 150 € por los daños en el suelo.",
    "Solicito el cambio por un modelo superior.",
    "Pido que me abonen los gastos de transporte.",
]
SUGGESTIONS = [
    "Estaría bien poder pedir cita por WhatsApp.",
    "Podrían enviar un recordatorio el día antes de la visita.",
    "Sugiero ampliar el horario de atención los sábados.",
    "Sería útil un vídeo corto con el uso básico.",
    "Propongo avisar por SMS cuando salga el repartidor.",
]
COMPLIMENTS = [
    "Quiero felicitar a la comercial por su paciencia.",
    "El montaje fue impecable y muy rápido.",
    "Da gusto que llamen para preguntar si todo va bien.",
    "El técnico resolvió la avería en una sola visita.",
]
DEPARTMENTS = [
    "Atención al cliente",
    "Servicio técnico",
    "Logística",
    "Administración",
    "Dirección comercial",
]
DEPARTMENT_RESPONSES = [
    "Se estudiará en el comité de calidad del trimestre.",
    "Se ha trasladado al equipo; muchas gracias.",
    "Se incorpora a las mejoras previstas para el próximo año.",
    "Medida aplicada desde este mes.",
]
SOLUTIONS_BY_CATEGORY = {
    CaseCategory.PRODUCT_DEFECT: [
        SolutionType.TECHNICAL_ASSISTANCE,
        SolutionType.EXCHANGE,
        SolutionType.RETURN,
    ],
    CaseCategory.DELIVERY_DELAY: [SolutionType.APOLOGY, SolutionType.DISCOUNT, SolutionType.GIFT],
    CaseCategory.INSTALLATION: [SolutionType.TECHNICAL_ASSISTANCE, SolutionType.DISCOUNT],
    CaseCategory.STAFF_CONDUCT: [SolutionType.APOLOGY, SolutionType.GIFT],
    CaseCategory.BILLING: [SolutionType.DISCOUNT, SolutionType.OTHER],
    CaseCategory.INFORMATION: [SolutionType.APOLOGY, SolutionType.TECHNICAL_ASSISTANCE],
    CaseCategory.OTHER: [SolutionType.APOLOGY, SolutionType.OTHER],
}
SOLUTION_DETAILS = {
    SolutionType.RETURN: "Recogida del producto y reembolso íntegro.",
    SolutionType.EXCHANGE: "Cambio por una unidad nueva del mismo modelo.",
    SolutionType.TECHNICAL_ASSISTANCE: "Visita del servicio técnico en 48 horas sin coste.",
    SolutionType.APOLOGY: "Disculpas por escrito del responsable de postventa.",
    SolutionType.GIFT: "Regalo de un kit de mantenimiento.",
    SolutionType.DISCOUNT: "Descuento en la próxima compra.",
    SolutionType.OTHER: "Abono de la diferencia en la próxima factura.",
}
MEDIATION_BODIES = [
    "Junta Arbitral de Consumo de la Comunidad de Madrid",
    "OMIC del Ayuntamiento",
    "Junta Arbitral Nacional de Consumo",
]
MEDIATION_OUTCOMES = [
    "Laudo conciliatorio: se sustituye el equipo y se abonan 50 €.",
    "Laudo desestimatorio: no procede la indemnización solicitada.",
    "Acuerdo en mediación: descuento del 10 % y revisión gratuita.",
]

CHARTERS = {
    CharterType.CUSTOMER_ATTENTION: {
        "title": "Carta de servicios de atención al cliente",
        "strategy": "Cuidar a cada cliente después de la venta: llamarle, visitarle y resolver sus quejas con rapidez.",
        "systems": "Agenda de seguimiento, registro de quejas y reclamaciones, encuestas de satisfacción.",
        "personnel": "Comerciales formados en escucha activa y un responsable de postventa por zona.",
        "procedure": "\n".join(
            [
                "1. Recepción: recogemos su queja o reclamación por cualquier canal y le escuchamos con atención.",
                "2. Análisis: la clasificamos por tipo y categoría, que deciden la solución adecuada.",
                "3. Servicio: le proponemos una solución por el canal acordado con usted; si no la acepta, "
                "buscamos un acuerdo o una mediación externa.",
                "4. Análisis de la satisfacción: tras cerrarla le llamamos para conocer su opinión.",
            ]
        ),
        "principles": "Calidad, accesibilidad, profesionalidad, diligencia, cortesía y buen ambiente.",
        "commitments": [
            (
                "Llamamos a cada cliente en los {days} días laborables siguientes a la entrega.",
                CharterIndicator.FIRST_CONTACT_AFTER_DELIVERY,
                2,
                95,
                CharterPeriod.MONTH,
            ),
            (
                "Respondemos por escrito a toda reclamación en un plazo de {days} días.",
                CharterIndicator.CLAIMS_ANSWERED,
                10,
                100,
                CharterPeriod.QUARTER,
            ),
            (
                "Cerramos las quejas en menos de {days} días.",
                CharterIndicator.COMPLAINTS_CLOSED,
                30,
                90,
                CharterPeriod.QUARTER,
            ),
            (
                "Realizamos a tiempo las llamadas y visitas de seguimiento.",
                CharterIndicator.FOLLOW_UPS_ON_TIME,
                None,
                90,
                CharterPeriod.MONTH,
            ),
            (
                "Mantenemos una satisfacción media de al menos {target} sobre 5.",
                CharterIndicator.AVERAGE_SATISFACTION,
                None,
                4.2,
                CharterPeriod.YEAR,
            ),
        ],
    },
    CharterType.PRODUCT_ACCESS: {
        "title": "Carta de servicios de acceso al producto",
        "strategy": "Que comprar, recibir y usar nuestros productos sea fácil para todos.",
        "systems": "Tienda, web y visitas a domicilio: entrega, instalación y comprobación del uso correcto "
        "con el cliente, con demostración del producto.",
        "personnel": "Técnicos instaladores propios y comerciales de zona.",
        "procedure": "\n".join(
            [
                "1. Recepción: recogemos su queja o reclamación sobre la entrega, la instalación o el uso del "
                "producto por cualquier canal.",
                "2. Análisis: un técnico revisa el caso y, si hace falta, el producto en su domicilio.",
                "3. Servicio: le proponemos una solución (reparación, cambio, devolución o una nueva "
                "demostración); si no la acepta, buscamos un acuerdo o una mediación externa.",
                "4. Análisis de la satisfacción: tras cerrarla le llamamos para conocer su opinión.",
            ]
        ),
        "principles": "Accesibilidad, profesionalidad y diligencia.",
        "commitments": [
            (
                "Resolvemos las devoluciones en garantía en menos de {days} días.",
                CharterIndicator.RETURNS_RESOLVED,
                15,
                90,
                CharterPeriod.QUARTER,
            ),
            (
                "Comprobamos el uso correcto del producto en la visita posterior a la entrega.",
                CharterIndicator.USAGE_CHECKS_AFTER_DELIVERY,
                30,
                85,
                CharterPeriod.QUARTER,
                # The products with a usage check (accessories have none): filled in by _charters.
                {"product_categories": "checked"},
            ),
            (
                "Nuestros clientes nos recomiendan: índice de recomendación neta de al menos {target}.",
                CharterIndicator.NPS,
                None,
                40,
                CharterPeriod.YEAR,
            ),
        ],
    },
    CharterType.FINANCING: {
        "title": "Carta de servicios de financiación",
        "strategy": "Facilitar la compra con líneas de crédito claras y sin sorpresas.",
        "systems": "Financiación con entidades colaboradoras y simulador de cuotas en tienda: estudio de la "
        "solicitud, firma y seguimiento de las cuotas.",
        "personnel": "Un gestor de financiación en cada tienda.",
        "procedure": "\n".join(
            [
                "1. Recepción: recogemos su queja o reclamación sobre cuotas o recibos por cualquier canal.",
                "2. Análisis: el gestor de financiación revisa el contrato y los recibos con la entidad.",
                "3. Servicio: le proponemos una solución (corregir o devolver el recibo, ajustar las cuotas) "
                "y, si no la acepta, un acuerdo o una mediación externa.",
                "4. Análisis de la satisfacción: tras cerrarla le llamamos para conocer su opinión.",
            ]
        ),
        "principles": "Transparencia, cortesía y diligencia.",
        "commitments": [
            (
                "Respondemos a las reclamaciones sobre financiación en {days} días.",
                CharterIndicator.CLAIMS_ANSWERED,
                10,
                95,
                CharterPeriod.QUARTER,
                {"case_categories": (CaseCategory.BILLING,)},
            ),
            (
                "Cerramos las quejas sobre recibos en menos de {days} días.",
                CharterIndicator.COMPLAINTS_CLOSED,
                15,
                85,
                CharterPeriod.QUARTER,
                {"case_categories": (CaseCategory.BILLING,)},
            ),
            (
                "Satisfacción media con la financiación de al menos {target} sobre 5.",
                CharterIndicator.AVERAGE_SATISFACTION,
                None,
                4.0,
                CharterPeriod.YEAR,
            ),
        ],
    },
}
CHARTER_CHANNELS = [
    {"channel": "phone", "detail": "+34 910 555 214", "hours": "L-V 9:00-14:00 y 16:00-19:00"},
    {"channel": "email", "detail": "postventa@hogarclima.es", "hours": ""},
    {"channel": "post", "detail": "Calle de Alcalá 214, 28028 Madrid", "hours": ""},
    {"channel": "in_person", "detail": "Tienda de Calle de Alcalá 214", "hours": "L-S 10:00-20:00"},
]


# --------------------------------------------------------------------------- the generator

CHUNK_CUSTOMERS = 1000  # customers per batch: one progress report and one write per table
# The tables written in batches (_DemoBuilder.batched), whose indexes are made at the end.
_BULK_TABLES = tuple(
    model._meta.table_name
    for model in (
        Customer,
        CustomerNeedTag,
        Sale,
        SaleLine,
        SoldUnit,
        Case,
        WarrantyReturn,
        ReturnStatusChange,
        FollowUp,
        UsageCheck,
        CheckAnswer,
        CaseProposal,
        CaseStageChange,
        SatisfactionSurvey,
    )
)
# The daily capacity per rep (company settings) is at least one follow-up a day per this many
# customers: the default 40 up to 10,000 customers, 400 for 100,000.
CUSTOMERS_PER_DAILY_FOLLOW_UP = 250
SALES_SPAN_DAYS = 1000  # sales reach this far back from `today` (about 2¾ years)
RETURN_RATE = 0.03  # share of delivered units that come back under a warranty return
_DAY = dt.timedelta(days=1)

_CALL_SLOTS = [dt.time(h, m) for h in (9, 10, 11, 12, 13, 16, 17, 18) for m in (0, 15, 30, 45)]
_VISIT_SLOTS = [dt.time(h, m) for h in (9, 10, 11, 12, 16, 17) for m in (0, 30)]
_EVENING = dt.time(19, 0)

_RS = ReturnState
# Days between entering the previous state and entering this one.
_RETURN_GAPS = {
    _RS.RECEIVED: (1, 4),
    _RS.INSPECTED: (1, 3),
    _RS.APPROVED: (0, 2),
    _RS.REJECTED: (0, 2),
    _RS.REPAIRED: (2, 9),
    _RS.REPLACED: (1, 5),
    _RS.REFUNDED: (1, 4),
    _RS.CREDITED: (0, 3),
    _RS.RETURNED_TO_CUSTOMER: (1, 4),
    _RS.CLOSED: (0, 3),
    _RS.CANCELLED: (0, 4),
}
# How long ago a return in this state was reported (forced examples of every state).
_RETURN_AGES = {
    _RS.REQUESTED: (0, 2),
    _RS.RECEIVED: (2, 6),
    _RS.INSPECTED: (4, 10),
    _RS.APPROVED: (6, 14),
    _RS.REJECTED: (8, 20),
    _RS.REPAIRED: (10, 25),
    _RS.REPLACED: (8, 20),
    _RS.REFUNDED: (6, 20),
    _RS.CREDITED: (6, 20),
    _RS.RETURNED_TO_CUSTOMER: (12, 30),
    _RS.CLOSED: (20, 600),
    _RS.CANCELLED: (5, 400),
}
# The state of a return reported this many days ago (up to the bound): (bound, [(state, weight)]).
_RETURN_STATES_BY_AGE = [
    (2, [(_RS.REQUESTED, 80), (_RS.RECEIVED, 15), (_RS.CANCELLED, 5)]),
    (
        7,
        [
            (_RS.RECEIVED, 45),
            (_RS.INSPECTED, 30),
            (_RS.REQUESTED, 10),
            (_RS.APPROVED, 10),
            (_RS.CANCELLED, 5),
        ],
    ),
    (
        15,
        [
            (_RS.INSPECTED, 15),
            (_RS.APPROVED, 25),
            (_RS.REJECTED, 10),
            (_RS.REPAIRED, 15),
            (_RS.REPLACED, 10),
            (_RS.REFUNDED, 10),
            (_RS.CREDITED, 5),
            (_RS.RETURNED_TO_CUSTOMER, 5),
            (_RS.CLOSED, 5),
        ],
    ),
    (
        40,
        [
            (_RS.APPROVED, 5),
            (_RS.REPAIRED, 10),
            (_RS.RETURNED_TO_CUSTOMER, 15),
            (_RS.REPLACED, 5),
            (_RS.REFUNDED, 5),
            (_RS.CREDITED, 5),
            (_RS.CLOSED, 50),
            (_RS.CANCELLED, 5),
        ],
    ),
    (
        None,
        [
            (_RS.CLOSED, 90),
            (_RS.CANCELLED, 7),
            (_RS.APPROVED, 1),
            (_RS.INSPECTED, 1),
            (_RS.RETURNED_TO_CUSTOMER, 1),
        ],
    ),
]
_RESOLUTIONS = (_RS.REJECTED, _RS.REPAIRED, _RS.REPLACED, _RS.REFUNDED, _RS.CREDITED)
_DECIDED_BY_MANAGER = (_RS.APPROVED, _RS.REJECTED, _RS.REFUNDED, _RS.CREDITED)
_RETURN_NOTES = {
    _RS.REQUESTED: "Solicitud registrada.",
    _RS.RECEIVED: "Producto recibido en el taller.",
    _RS.INSPECTED: "Revisado por el servicio técnico.",
    _RS.APPROVED: "Cubierto por la garantía.",
    _RS.REJECTED: "No cubierto por la garantía.",
    _RS.REPAIRED: "Reparación terminada.",
    _RS.REPLACED: "Se entrega una unidad nueva.",
    _RS.REFUNDED: "Importe reembolsado.",
    _RS.CREDITED: "Abono emitido para la próxima compra.",
    _RS.RETURNED_TO_CUSTOMER: "Producto devuelto al cliente.",
    _RS.CLOSED: "Devolución cerrada.",
    _RS.CANCELLED: "El cliente retira la solicitud.",
}
_RETURN_REASONS = [
    (ReturnReason.FAILURE_IN_USE, 45),
    (ReturnReason.DEFECT_ON_ARRIVAL, 15),
    (ReturnReason.TRANSPORT_DAMAGE, 10),
    (ReturnReason.CHANGED_MIND, 10),
    (ReturnReason.NOT_AS_DESCRIBED, 7),
    (ReturnReason.WRONG_ITEM, 5),
    (ReturnReason.OTHER, 8),
]

_CS = CaseStage
_CASE_GAPS = {
    _CS.ANALYSIS: (0, 2),
    _CS.SERVICE: (1, 5),
    _CS.INTERNAL_NEGOTIATION: (3, 9),
    _CS.EXTERNAL_MEDIATION: (8, 25),
    _CS.SATISFACTION: (2, 10),
    _CS.ACKNOWLEDGED: (0, 3),
    _CS.FORWARDED: (1, 6),
}
_CLOSING_GAPS = {_CS.SATISFACTION: (7, 25), _CS.EXTERNAL_MEDIATION: (20, 60), _CS.FORWARDED: (4, 20)}
_CASE_AGES = {
    _CS.RECEPTION: (0, 1),
    _CS.ANALYSIS: (1, 4),
    _CS.SERVICE: (3, 9),
    _CS.INTERNAL_NEGOTIATION: (10, 20),
    _CS.EXTERNAL_MEDIATION: (30, 90),
    _CS.SATISFACTION: (10, 25),
    _CS.CLOSED: (40, 600),
    _CS.RECEIVED: (0, 2),
    _CS.ACKNOWLEDGED: (2, 6),
    _CS.FORWARDED: (7, 18),
}
_COMPLAINT_STAGES_BY_AGE = [
    (1, [(_CS.RECEPTION, 60), (_CS.ANALYSIS, 40)]),
    (5, [(_CS.RECEPTION, 10), (_CS.ANALYSIS, 30), (_CS.SERVICE, 60)]),
    (15, [(_CS.SERVICE, 40), (_CS.INTERNAL_NEGOTIATION, 15), (_CS.SATISFACTION, 45)]),
    (
        40,
        [
            (_CS.SATISFACTION, 35),
            (_CS.CLOSED, 45),
            (_CS.INTERNAL_NEGOTIATION, 12),
            (_CS.EXTERNAL_MEDIATION, 8),
        ],
    ),
    (120, [(_CS.CLOSED, 85), (_CS.SATISFACTION, 5), (_CS.EXTERNAL_MEDIATION, 10)]),
    (None, [(_CS.CLOSED, 99), (_CS.EXTERNAL_MEDIATION, 1)]),
]
_NOTE_STAGES_BY_AGE = [
    (2, [(_CS.RECEIVED, 1)]),
    (8, [(_CS.ACKNOWLEDGED, 1)]),
    (25, [(_CS.FORWARDED, 60), (_CS.CLOSED, 40)]),
    (None, [(_CS.CLOSED, 1)]),
]
_STAGE_NOTES = {
    _CS.RECEPTION: "Entrada registrada; escucha activa con el cliente.",
    _CS.ANALYSIS: "Analizada la naturaleza del caso y asignada la categoría.",
    _CS.SERVICE: "Propuesta de solución comunicada por el canal acordado.",
    _CS.INTERNAL_NEGOTIATION: "El cliente rechaza la propuesta; negociación interna.",
    _CS.EXTERNAL_MEDIATION: "Sin acuerdo: se traslada a mediación externa.",
    _CS.SATISFACTION: "Solución ejecutada; pendiente de medir la satisfacción.",
    _CS.CLOSED: "Caso cerrado.",
    _CS.RECEIVED: "Registrada.",
    _CS.ACKNOWLEDGED: "Acuse de recibo enviado al cliente.",
    _CS.FORWARDED: "Trasladada al departamento responsable.",
}
_FORCED_CASES = (
    [(CaseKind.COMPLAINT, stage) for stage in _COMPLAINT_PATHS]
    + [(CaseKind.CLAIM, stage) for stage in _COMPLAINT_PATHS]
    + [(CaseKind.SUGGESTION, stage) for stage in _NOTE_PATHS]
    + [(CaseKind.COMPLIMENT, stage) for stage in _NOTE_PATHS]
)
_CASE_KINDS = [
    (CaseKind.COMPLAINT, 50),
    (CaseKind.CLAIM, 20),
    (CaseKind.SUGGESTION, 15),
    (CaseKind.COMPLIMENT, 15),
]
_CASE_CATEGORIES = [
    (CaseCategory.PRODUCT_DEFECT, 30),
    (CaseCategory.DELIVERY_DELAY, 18),
    (CaseCategory.INSTALLATION, 12),
    (CaseCategory.STAFF_CONDUCT, 10),
    (CaseCategory.BILLING, 12),
    (CaseCategory.INFORMATION, 12),
    (CaseCategory.OTHER, 6),
]
_UNIT_CATEGORIES = (CaseCategory.PRODUCT_DEFECT, CaseCategory.DELIVERY_DELAY, CaseCategory.INSTALLATION)
_OTHER_CATEGORIES = [CaseCategory.STAFF_CONDUCT, CaseCategory.BILLING, CaseCategory.INFORMATION]
_CH = ContactChannel
_COMPLAINT_CHANNELS = [
    (_CH.PHONE, 40),
    (_CH.EMAIL, 20),
    (_CH.IN_PERSON, 15),
    (_CH.WEB, 15),
    (_CH.SOCIAL, 5),
    (_CH.POST, 5),
]
_CLAIM_CHANNELS = [(_CH.EMAIL, 50), (_CH.WEB, 30), (_CH.POST, 20)]  # a claim is written
_NOTE_CHANNELS = [(_CH.EMAIL, 35), (_CH.WEB, 25), (_CH.SOCIAL, 15), (_CH.IN_PERSON, 15), (_CH.PHONE, 10)]
_PREFERRED_CHANNELS = [
    (_CH.PHONE, 45),
    (_CH.EMAIL, 28),
    (_CH.IN_PERSON, 10),
    (_CH.WEB, 8),
    (_CH.SOCIAL, 5),
    (_CH.POST, 4),
]
_COMPENSATIONS = [SolutionType.GIFT, SolutionType.DISCOUNT, SolutionType.EXCHANGE, SolutionType.RETURN]
_MISSED_OUTCOMES = [
    (FollowUpOutcome.NOT_REACHED, 55),
    (FollowUpOutcome.VOICEMAIL, 35),
    (FollowUpOutcome.CALL_LATER, 6),
    (FollowUpOutcome.WRONG_NUMBER, 4),
]
_CAUSES = [
    (DissatisfactionCause.RESPONSE_TIME, 30),
    (DissatisfactionCause.DELIVERY, 20),
    (DissatisfactionCause.PRODUCT, 20),
    (DissatisfactionCause.PRICE, 12),
    (DissatisfactionCause.ATTENTION, 12),
    (DissatisfactionCause.OTHER, 6),
]
_CIF_LETTERS = "JABCDEFGHI"
_NIF_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


@dataclass
class DemoSummary:
    """Rows written by `generate_demo`, per table."""

    rep: int = 0
    customer: int = 0
    need_tag: int = 0
    customer_need_tag: int = 0
    product_category: int = 0
    product: int = 0
    sale: int = 0
    sale_line: int = 0
    sold_unit: int = 0
    case: int = 0
    case_proposal: int = 0
    case_stage_change: int = 0
    warranty_return: int = 0
    return_status_change: int = 0
    follow_up_plan: int = 0
    follow_up_plan_step: int = 0
    follow_up: int = 0
    check_template: int = 0
    check_item: int = 0
    usage_check: int = 0
    check_answer: int = 0
    satisfaction_survey: int = 0
    service_charter: int = 0
    charter_commitment: int = 0

    def counts(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @property
    def total(self) -> int:
        return sum(self.counts().values())


def generate_demo(
    customers: int = 300,
    seed: int = 1,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Fill the open, empty database with a reproducible after-sales history.

    Everything is dated relative to `today` (sales over the last ~2¾ years, follow-ups
    done, missed, overdue and still to come); the same `seed` and `today` give the same
    rows. `progress(done, total)` is called after every batch of customers; an exception
    it raises (a cancel) rolls the whole demo back. With 25 customers or more every
    return state and every case kind and stage appears.
    """
    if db.obj is None:
        raise DomainError(_("No database is open."))
    if customers < 0:
        raise DomainError(_("The number of customers cannot be negative."))
    if Customer.select().exists():
        raise DomainError(
            _("The database already holds customers; demo data only goes into an empty database.")
        )
    # A bulk load (a bigger SQLite page cache meanwhile), the whole demo one write transaction:
    # nothing half-written.
    with bulk_load(db), write_transaction(), customer_profiles_stale_after(db):
        from app.models import AuditEntry

        day = today or dt.date.today()
        last_entry = AuditEntry.select(fn.MAX(AuditEntry.id)).scalar() or 0
        started = dt.datetime.now().replace(microsecond=0)  # as the audit stamps it
        # The tables written in batches get their indexes, and the customers their search index,
        # once at the end: a sort each instead of an insertion per row (10,000 customers: the
        # rows' writing 8.8 s of CPU → 2.3 s, the indexes made after it; docs/benchmarks.md).
        with customers_inserted_in_bulk(db), indexes_made_after(_BULK_TABLES, db):
            summary = _DemoBuilder(customers, seed, day, progress).run()
        # The rows went in with their own ids: the id sequences continue after them.
        reset_sequences(db)
        if customers:
            # Segments as the app computes them, so badges and the agenda's order show value.
            from app.services.customers.value import compute_segments

            compute_segments(day)
        # Commands the demo ran through the services (company settings, segmentation) are
        # stamped on the demo's own day, not the wall clock: same seed and day, same data.
        AuditEntry.update(at=dt.datetime.combine(day, dt.time(20, 0))).where(
            (AuditEntry.id > last_entry) & (AuditEntry.at >= started)
        ).execute()
    return summary


class _Rows:
    """Rows of one table, written in batches through one prepared INSERT.

    Values are already what the database stores (enum codes, dates, Decimals); the dates and times
    of the largest tables (follow-ups, checks, sales, surveys) as the text sqlite3 would bind: its
    adapter costs about 0.5 µs a value.
    Peewee's insert_many renders every value into SQL text, which measured four
    times slower (98 µs against 24 µs per follow-up row).
    """

    BATCH = 5000

    def __init__(self, model: type[BaseModel], columns: Sequence[Field]):
        database = db.obj
        quote = database.quote
        columns = [*columns, model.uid]  # every row's identity across machines, added by `flush`
        names = ", ".join(f"{quote[0]}{column.column_name}{quote[1]}" for column in columns)
        marks = ", ".join([database.param] * len(columns))
        self.sql = f"INSERT INTO {quote[0]}{model._meta.table_name}{quote[1]} ({names}) VALUES ({marks})"
        self.rows: list[Sequence] = []
        self.written = 0

    def add(self, row: Sequence) -> None:
        # Kept as given, not copied: the caller may still change it until the next flush (a unit
        # replaced or refunded by a return made right after it, `_warranty_return`).
        self.rows.append(row)

    def flush(self) -> None:
        if not self.rows:
            return
        cursor = db.cursor()
        for start in range(0, len(self.rows), self.BATCH):
            batch = self.rows[start : start + self.BATCH]
            # Each row's uid (as app.models.base.new_uid makes one), the batch's random bytes read at once.
            uids = os.urandom(16 * len(batch)).hex()
            cursor.executemany(self.sql, [(*row, uids[32 * i : 32 * i + 32]) for i, row in enumerate(batch)])
        self.written += len(self.rows)
        self.rows = []


class _Calendar:
    """Working days (Monday to Friday, not a public holiday of the company's region).

    The same days as app.services.followups.working_days, indexed once: the demo asks millions of times.
    """

    def __init__(self, first: dt.date, last: dt.date, country: str, subdivision: str):
        closed: set[dt.date] = set()
        try:
            for year in range(first.year, last.year + 1):
                closed |= holidays_in(year, country, subdivision or None)
        except DomainError:  # holidays unknown for the region: weekends only
            closed = set()
        self._first = first
        count = (last - first).days + 1
        days = [first + i * _DAY for i in range(count)]
        self._working = [day for day in days if day.weekday() < 5 and day not in closed]
        # Per calendar day: the index in _working of the first working day on or after it
        # (len(_working) past the end), and of the last one on or before it (-1 before the start).
        self._after: list[int] = [0] * count
        self._before: list[int] = [0] * count
        position = 0
        for i, day in enumerate(days):
            while position < len(self._working) and self._working[position] < day:
                position += 1
            self._after[i] = position
            on_day = position < len(self._working) and self._working[position] == day
            self._before[i] = position if on_day else position - 1

    def _index(self, day: dt.date) -> int | None:
        index = (day - self._first).days
        return index if 0 <= index < len(self._after) else None

    def on_or_after(self, day: dt.date) -> dt.date:
        index = self._index(day)
        if index is not None and self._after[index] < len(self._working):
            return self._working[self._after[index]]
        while day.weekday() >= 5:
            day += _DAY
        return day

    def on_or_before(self, day: dt.date) -> dt.date:
        index = self._index(day)
        if index is not None and self._before[index] >= 0:
            return self._working[self._before[index]]
        while day.weekday() >= 5:
            day -= _DAY
        return day

    def spread(self, day: dt.date, rng: random.Random) -> dt.date:
        """`day` if it is a working day, else one of the next five: weekends do not pile up on Mondays."""
        index = self._index(day)
        if index is None:
            return self.on_or_after(day)
        position = self._after[index]
        if position < len(self._working) and self._working[position] == day:
            return day
        position = min(position + int(rng.random() * 5), len(self._working) - 1)
        return self._working[position] if position >= 0 else self.on_or_after(day)


class _Weighted:
    """Items with weights, picked with one random number."""

    def __init__(self, pairs: Sequence[tuple[object, float]]):
        self.items = [item for item, _weight in pairs]
        self.cumulative = list(itertools.accumulate(weight for _item, weight in pairs))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random):
        return self.items[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


class _ByAge:
    """States weighted by how many days ago something started."""

    def __init__(self, table):
        self.table = [(bound, _Weighted(pairs)) for bound, pairs in table]

    def pick(self, rng: random.Random, age: int):
        for bound, weighted in self.table:
            if bound is None or age <= bound:
                return weighted.pick(rng)
        raise AssertionError("the last bound is None")


class _Category:
    def __init__(self, category_id: int, spec: CategorySpec | None):
        self.id = category_id
        self.spec = spec
        self.steps: list[tuple[int, Step]] = []
        # (first day it is used, template id, [(item id, critical)]), newest first.
        self.templates: list[tuple[dt.date, int, list[tuple[int, bool]]]] = []
        self.products: list[_Product] = []
        self.accessory: _Product | None = None
        self.code = ""  # as stored (a free code when the database had the spec's already)

    def template_on(self, day: dt.date) -> tuple[int, list[tuple[int, bool]]]:
        for since, template_id, items in self.templates:
            if day >= since:
                return template_id, items
        return self.templates[-1][1], self.templates[-1][2]


class _Product:
    __slots__ = ("id", "name", "months", "price", "category", "professional", "serialised", "prefix")

    def __init__(self, product_id, name, months, price, category, professional, serialised, prefix):
        self.id, self.name, self.months, self.price = product_id, name, months, price
        self.category, self.professional, self.serialised, self.prefix = (
            category,
            professional,
            serialised,
            prefix,
        )


class _Customer:
    __slots__ = (
        "id",
        "rep",
        "company",
        "consent",
        "place",
        "present",
        "first_day",
        "city",
        "units",
        "low_calls",
        "forced_return",
    )

    def __init__(self, customer_id, rep, company, consent, place, present, first_day, city):
        self.id, self.rep, self.company, self.consent = customer_id, rep, company, consent
        self.place, self.present, self.first_day, self.city = place, present, first_day, city
        # (unit id, sale id, delivered on, unit price) of delivered serialised units.
        self.units: list[tuple[int, int, dt.date, Decimal]] = []
        # (follow-up id, day) of satisfaction calls that went badly: where complaints come from.
        self.low_calls: list[tuple[int, dt.date]] = []
        self.forced_return = False  # carries one of the examples of every return state


def _money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


class _DemoBuilder:
    def __init__(
        self, customers: int, seed: int, today: dt.date, progress: Callable[[int, int], None] | None
    ):
        self.rng = random.Random(seed)  # noqa: S311 (demo data, not secrets)
        self.customers = customers
        self.today = today
        self.progress = progress
        self.midnight = dt.datetime.combine(today, dt.time())
        company = load_company_settings()
        self.calendar = _Calendar(
            today - dt.timedelta(days=SALES_SPAN_DAYS + 200),
            today + dt.timedelta(days=900),
            company.holiday_country,
            company.holiday_subdivision,
        )
        self.reference_time = dt.datetime.combine(
            today - dt.timedelta(days=SALES_SPAN_DAYS + 30), dt.time(9, 0)
        )
        self.next_id = {
            model: (model.select(fn.MAX(model.id)).scalar() or 0) + 1
            for model in ALL_MODELS
            if model is not CompanySetting
        }
        self.used_tax_ids: set[str] = set()
        self.sale_sequences: dict[int, int] = {}
        self.forced_returns = list(ReturnState)
        self.forced_cases = list(_FORCED_CASES)
        self.return_keys: list[tuple[dt.date, int]] = []
        self.case_keys: dict[CaseSeries, list[tuple[dt.date, int]]] = {series: [] for series in CaseSeries}
        self.summary = DemoSummary()
        self.cities = _Weighted([(city[:5], city[5]) for city in CITIES])
        self.email_domains = _Weighted(EMAIL_DOMAINS)
        self.preferred_channels = _Weighted(_PREFERRED_CHANNELS)
        self.return_reasons = _Weighted(_RETURN_REASONS)
        self.return_states = _ByAge(_RETURN_STATES_BY_AGE)
        self.complaint_stages = _ByAge(_COMPLAINT_STAGES_BY_AGE)
        self.note_stages = _ByAge(_NOTE_STAGES_BY_AGE)
        self.case_kinds = _Weighted(_CASE_KINDS)
        self.case_categories = _Weighted(_CASE_CATEGORIES)
        self.complaint_channels = _Weighted(_COMPLAINT_CHANNELS)
        self.claim_channels = _Weighted(_CLAIM_CHANNELS)
        self.note_channels = _Weighted(_NOTE_CHANNELS)
        self.missed_outcomes = _Weighted(_MISSED_OUTCOMES)
        self.causes = _Weighted(_CAUSES)
        self.tag_counts = _Weighted([(0, 45), (1, 33), (2, 16), (3, 6)])
        self.person_sales = _Weighted([(1, 44), (2, 30), (3, 16), (4, 10)])
        self.company_sales = _Weighted([(1, 25), (2, 28), (3, 22), (4, 15), (5, 10)])
        self._writers()

    # ------------------------------------------------------------------ plumbing

    def _new_id(self, model: type[BaseModel]) -> int:
        value = self.next_id[model]
        self.next_id[model] = value + 1
        return value

    def _writers(self) -> None:
        C, S, L, U = Customer, Sale, SaleLine, SoldUnit
        K, W, F, Q = Case, WarrantyReturn, FollowUp, UsageCheck
        self.customer_rows = _Rows(
            C,
            [
                C.id,
                C.code,
                C.kind,
                C.name,
                C.tax_id,
                C.email,
                C.phone,
                C.mobile,
                C.address,
                C.postal_code,
                C.city,
                C.province,
                C.country,
                C.preferred_channel,
                C.language,
                C.rep,
                C.notes,
                C.contact_consent,
                C.consent_date,
                C.archived,
                C.search_text,
                C.sort_key,
                C.created_at,
                C.updated_at,
            ],
        )
        self.customer_tag_rows = _Rows(CustomerNeedTag, [CustomerNeedTag.customer, CustomerNeedTag.tag])
        self.sale_rows = _Rows(
            S,
            [
                S.id,
                S.number,
                S.customer,
                S.rep,
                S.sold_on,
                S.delivered_on,
                S.notes,
                S.created_at,
                S.updated_at,
                S.number_key,
            ],
        )
        self.line_rows = _Rows(L, [L.id, L.sale, L.product, L.quantity, L.unit_price])
        self.unit_rows = _Rows(
            U,
            [
                U.id,
                U.line,
                U.customer,
                U.product,
                U.serial_number,
                U.quantity,
                U.warranty_extension_months,
                U.warranty_ends_on,
                U.status,
                U.replaces,
                U.serial_key,
            ],
        )
        self.case_rows = _Rows(
            K,
            [
                K.id,
                K.number,
                K.year,
                K.series,
                K.sequence,
                K.kind,
                K.stage,
                K.customer,
                K.rep,
                K.channel,
                K.received_on,
                K.customer_words,
                K.requested_compensation,
                K.sale,
                K.sold_unit,
                K.origin_follow_up,
                K.category,
                K.severity,
                K.agreed_channel,
                K.first_answer_on,
                K.closed_on,
                K.mediation_body,
                K.mediation_reference,
                K.mediation_on,
                K.mediation_outcome,
                K.department,
                K.department_response,
                K.created_at,
                K.updated_at,
            ],
        )
        self.return_rows = _Rows(
            W,
            [
                W.id,
                W.number,
                W.year,
                W.sequence,
                W.sold_unit,
                W.customer,
                W.rep,
                W.reason,
                W.description,
                W.reported_on,
                W.state,
                W.under_warranty,
                W.warranty_days,
                W.out_of_warranty_reason,
                W.inspection_note,
                W.replacement_unit,
                W.refund_amount,
                W.cost_parts,
                W.cost_labour,
                W.cost_shipping,
                W.resolved_on,
                W.closed_on,
                W.created_at,
                W.updated_at,
            ],
        )
        R = ReturnStatusChange
        self.return_change_rows = _Rows(
            R, [R.warranty_return, R.from_state, R.to_state, R.changed_at, R.rep, R.note]
        )
        self.follow_up_rows = _Rows(
            F,
            [
                F.id,
                F.customer,
                F.rep,
                F.kind,
                F.purpose,
                F.scheduled_at,
                F.duration_minutes,
                F.place,
                F.state,
                F.outcome,
                F.notes,
                F.attempt,
                F.completed_at,
                F.cancel_reason,
                F.sold_unit,
                F.case,
                F.warranty_return,
                F.plan_step,
                F.retry_of,
                F.created_at,
                F.updated_at,
            ],
        )
        self.check_rows = _Rows(
            Q,
            [
                Q.id,
                Q.template,
                Q.sold_unit,
                Q.customer,
                Q.rep,
                Q.follow_up,
                Q.status,
                Q.started_at,
                Q.completed_at,
                Q.present_people,
                Q.score,
                Q.passed,
                Q.notes,
                Q.created_at,
                Q.updated_at,
            ],
        )
        A = CheckAnswer
        self.answer_rows = _Rows(A, [A.check, A.item, A.result, A.note, A.trained_on_site])
        P = CaseProposal
        self.proposal_rows = _Rows(
            P,
            [
                P.case,
                P.round,
                P.proposed_on,
                P.solution_type,
                P.detail,
                P.amount,
                P.channel,
                P.answer,
                P.answered_on,
            ],
        )
        H = CaseStageChange
        self.stage_change_rows = _Rows(H, [H.case, H.from_stage, H.to_stage, H.changed_at, H.rep, H.note])
        V = SatisfactionSurvey
        self.survey_rows = _Rows(
            V,
            [
                V.customer,
                V.rep,
                V.taken_on,
                V.satisfaction,
                V.recommend,
                V.comment,
                V.cause,
                V.follow_up,
                V.case,
                V.warranty_return,
                V.created_at,
                V.updated_at,
            ],
        )
        # In foreign-key order.
        self.batched = [
            self.customer_rows,
            self.customer_tag_rows,
            self.sale_rows,
            self.line_rows,
            self.unit_rows,
            self.case_rows,
            self.return_rows,
            self.return_change_rows,
            self.follow_up_rows,
            self.check_rows,
            self.answer_rows,
            self.proposal_rows,
            self.stage_change_rows,
            self.survey_rows,
        ]

    def _flush(self) -> None:
        for rows in self.batched:
            rows.flush()

    def _slot(self, kind: FollowUpKind) -> dt.time:
        slots = _VISIT_SLOTS if kind is FollowUpKind.VISIT else _CALL_SLOTS
        return slots[int(self.rng.random() * len(slots))]

    def _chain(self, start: dt.date, gaps: Sequence[int]) -> list[dt.datetime]:
        """Moments of a history that starts on `start`: working days `gaps` apart, never after today."""
        rng, today = self.rng, self.today
        moment = dt.datetime.combine(start, self._slot(FollowUpKind.CALL))
        moments = [moment]
        for gap in gaps:
            day = moment.date() + gap * _DAY
            if gap:
                day = self.calendar.on_or_after(day)
            if day > today:
                day = today
            if day <= moment.date():
                step = rng.randint(10, 90) if moment.hour < 17 else rng.randint(2, 10)
                moment = moment + dt.timedelta(minutes=step)
            else:
                moment = dt.datetime.combine(day, self._slot(FollowUpKind.CALL))
            moments.append(moment)
        return moments

    # ------------------------------------------------------------------ reference data

    def run(self) -> DemoSummary:
        self._report(0)
        self._company()
        self._reps()
        # Follow-ups still to come land where the app's own placement puts them (working days and
        # hours, the rep's own hours, the daily capacity, one visit an hour): one book for the whole
        # demo, which knows every follow-up it placed, so nothing is read back.
        self.places = PlacementBook(PlacementRules.from_settings(), read=False)
        self._need_tags()
        self._catalog()
        self._charters()
        done = 0
        while done < self.customers:
            batch = min(CHUNK_CUSTOMERS, self.customers - done)
            for _index in range(batch):
                self._customer()
            self._flush()
            done += batch
            self._report(done)
        self._number("warranty_return", "RMA-", self.return_keys)
        for series, keys in self.case_keys.items():  # each series its own sequence and prefix
            self._number("case", company.case_number_prefix(series), keys)
        summary = self.summary
        for rows, name in [
            (self.customer_rows, "customer"),
            (self.customer_tag_rows, "customer_need_tag"),
            (self.sale_rows, "sale"),
            (self.line_rows, "sale_line"),
            (self.unit_rows, "sold_unit"),
            (self.case_rows, "case"),
            (self.return_rows, "warranty_return"),
            (self.return_change_rows, "return_status_change"),
            (self.follow_up_rows, "follow_up"),
            (self.check_rows, "usage_check"),
            (self.answer_rows, "check_answer"),
            (self.proposal_rows, "case_proposal"),
            (self.stage_change_rows, "case_stage_change"),
            (self.survey_rows, "satisfaction_survey"),
        ]:
            setattr(summary, name, rows.written)
        return summary

    def _report(self, done: int) -> None:
        if self.progress is not None:
            self.progress(done, self.customers)

    def _reference(self, model: type[BaseModel], columns: Sequence[Field], rows: list[Sequence]) -> None:
        writer = _Rows(model, columns)
        for row in rows:
            writer.add(row)
        writer.flush()
        name = model._meta.table_name
        setattr(self.summary, name, getattr(self.summary, name) + writer.written)

    @staticmethod
    def _free(value: str, taken: set[str]) -> str:
        """`value`, or `value-2`, `value-3`… if the database already has it."""
        candidate, number = value, 1
        while candidate in taken:
            number += 1
            candidate = f"{value}-{number}"
        taken.add(candidate)
        return candidate

    def _company(self) -> None:
        stored = {row.key for row in CompanySetting.select(CompanySetting.key)}
        settings = load_company_settings()
        changed = False
        if "name" not in stored:
            settings.name, settings.address = COMPANY_NAME, COMPANY_ADDRESS
            settings.tax_id = self._cif("28", "B")
            changed = True
        # Its few reps carry every customer's follow-ups: a bigger demo company gives them longer
        # days (as a real one would hire), so placement spreads the work over weeks, not years.
        needed = -(-self.customers // CUSTOMERS_PER_DAILY_FOLLOW_UP)
        if settings.daily_capacity < needed:
            settings.daily_capacity, changed = needed, True
        if changed:
            save_company_settings(settings)

    def _reps(self) -> None:
        taken = {code.upper() for (code,) in Rep.select(Rep.code).tuples()}
        rows, self.managers, self.field_reps = [], [], []
        for name, manager in REPS:
            rep_id = self._new_id(Rep)
            parts = name.split(" ")  # given name(s), then two surnames
            given, surname = parts[:-2], parts[-2]
            initials = "".join(part[0] for part in given)
            code = self._free(fold_for_search(initials + surname).upper(), taken)
            email = f"{fold_for_search(given[0])}.{fold_for_search(surname)}@{COMPANY_DOMAIN}"
            phone = self._mobile()
            role = RepRole.MANAGER if manager else RepRole.REP
            start, end = REP_HOURS.get(name, (None, None))
            rows.append(
                (
                    rep_id,
                    code,
                    name,
                    email,
                    phone,
                    role.value,
                    True,
                    Rep.working_hours_start.db_value(start),
                    Rep.working_hours_end.db_value(end),
                    self.reference_time,
                    self.reference_time,
                )
            )
            (self.managers if manager else self.field_reps).append(rep_id)
        self._reference(
            Rep,
            [
                Rep.id,
                Rep.code,
                Rep.name,
                Rep.email,
                Rep.phone,
                Rep.role,
                Rep.active,
                Rep.working_hours_start,
                Rep.working_hours_end,
                Rep.created_at,
                Rep.updated_at,
            ],
            rows,
        )

    def _need_tags(self) -> None:
        existing = dict(NeedTag.select(NeedTag.key, NeedTag.id).tuples())
        rows, self.tag_ids = [], []
        for name in NEED_TAGS:
            if fold_key(name) in existing:
                self.tag_ids.append(existing[fold_key(name)])
                continue
            tag_id = self._new_id(NeedTag)
            rows.append((tag_id, name, fold_key(name)))
            self.tag_ids.append(tag_id)
        self._reference(NeedTag, [NeedTag.id, NeedTag.name, NeedTag.key], rows)

    def _catalog(self) -> None:
        at = self.reference_time
        category_codes = {code for (code,) in ProductCategory.select(ProductCategory.code).tuples()}
        skus = {sku for (sku,) in Product.select(Product.sku).tuples()}
        families = {family for (family,) in CheckTemplate.select(CheckTemplate.family).tuples()}
        category_rows, product_rows, plan_rows, step_rows, template_rows, item_rows = [], [], [], [], [], []

        def add_product(category: _Category, name, months, price, professional, serialised, prefix, index):
            product = _Product(
                self._new_id(Product), name, months, price, category, professional, serialised, prefix
            )
            sku = self._free(f"{prefix}-{index:03d}", skus)
            product_rows.append(
                (product.id, sku, name, category.id, months, _money(price), serialised, True, at, at)
            )
            return product

        code, name, prefix = ACCESSORY_CATEGORY
        accessories = _Category(self._new_id(ProductCategory), None)
        category_rows.append((accessories.id, self._free(code, category_codes), name, None))
        accessory_products = [
            add_product(accessories, item_name, months, price, False, False, prefix, index)
            for index, (item_name, months, price) in enumerate(ACCESSORIES, start=1)
        ]
        self.categories: list[_Category] = []
        for spec in CATEGORIES:
            category = _Category(self._new_id(ProductCategory), spec)
            category.code = self._free(spec.code, category_codes)
            category_rows.append((category.id, category.code, spec.name, REPLACEMENT_MONTHS.get(spec.code)))
            for index, (model, months, price, professional) in enumerate(spec.products, start=1):
                category.products.append(
                    add_product(category, model, months, price, professional, True, spec.prefix, index)
                )
            if spec.accessory is not None:
                category.accessory = accessory_products[spec.accessory]
            plan_id = self._new_id(FollowUpPlan)
            plan_rows.append(
                (plan_id, f"Seguimiento postventa: {spec.name.lower()}", category.id, True, at, at)
            )
            for position, step in enumerate(spec.plan, start=1):
                step_id = self._new_id(FollowUpPlanStep)
                step_rows.append(
                    (
                        step_id,
                        plan_id,
                        position,
                        step.offset_days,
                        step.anchor.value,
                        step.kind.value,
                        step.purpose.value,
                        step.minutes,
                    )
                )
                category.steps.append((step_id, step))
            family = self._free(f"uso-{spec.code}", families)
            checklist = [(question, critical) for question, critical in spec.checklist]
            versions = [
                (self.calendar.on_or_before(self.today - dt.timedelta(days=SALES_SPAN_DAYS + 60)), checklist)
            ]
            if spec.code == REVISED_CHECKLIST[0]:
                versions.append(
                    (self.today - dt.timedelta(days=365), checklist + [(REVISED_CHECKLIST[1], False)])
                )
            for version, (since, questions) in enumerate(versions, start=1):
                template_id = self._new_id(CheckTemplate)
                active = version == len(versions)
                created = dt.datetime.combine(since, dt.time(9, 0))
                template_rows.append(
                    (
                        template_id,
                        family,
                        version,
                        f"Uso correcto: {spec.name.lower()}",
                        category.id,
                        active,
                        created,
                        created,
                    )
                )
                items = []
                for position, (question, critical) in enumerate(questions, start=1):
                    item_id = self._new_id(CheckItem)
                    guidance = "Imprescindible: si falla, se corrige antes de irse." if critical else ""
                    item_rows.append((item_id, template_id, position, question, guidance, critical))
                    items.append((item_id, critical))
                category.templates.insert(0, (since, template_id, items))
            self.categories.append(category)

        self._reference(
            ProductCategory,
            [
                ProductCategory.id,
                ProductCategory.code,
                ProductCategory.name,
                ProductCategory.replacement_months,
            ],
            category_rows,
        )
        P = Product
        self._reference(
            P,
            [
                P.id,
                P.sku,
                P.name,
                P.category,
                P.warranty_months,
                P.price,
                P.serialised,
                P.active,
                P.created_at,
                P.updated_at,
            ],
            product_rows,
        )
        self._reference(
            FollowUpPlan,
            [
                FollowUpPlan.id,
                FollowUpPlan.name,
                FollowUpPlan.category,
                FollowUpPlan.active,
                FollowUpPlan.created_at,
                FollowUpPlan.updated_at,
            ],
            plan_rows,
        )
        T = FollowUpPlanStep
        self._reference(
            T,
            [T.id, T.plan, T.position, T.offset_days, T.anchor, T.kind, T.purpose, T.duration_minutes],
            step_rows,
        )
        self._reference(
            CheckTemplate,
            [
                CheckTemplate.id,
                CheckTemplate.family,
                CheckTemplate.version,
                CheckTemplate.name,
                CheckTemplate.category,
                CheckTemplate.active,
                CheckTemplate.created_at,
                CheckTemplate.updated_at,
            ],
            template_rows,
        )
        I = CheckItem  # noqa: E741
        self._reference(I, [I.id, I.template, I.position, I.question, I.guidance, I.critical], item_rows)
        self.person_categories = _Weighted([(c, c.spec.person_weight) for c in self.categories])
        self.company_categories = _Weighted([(c, c.spec.company_weight) for c in self.categories])

    def _charters(self) -> None:
        active_types = {
            charter_type
            for (charter_type,) in ServiceCharter.select(ServiceCharter.type)
            .where(ServiceCharter.active == True)  # noqa: E712 (peewee builds SQL from ==)
            .tuples()
        }
        valid_from = dt.date(self.today.year, 1, 1)
        created = dt.datetime.combine(valid_from, dt.time(9, 0)) - dt.timedelta(days=20)
        charter_rows, commitment_rows = [], []
        for charter_type, text in CHARTERS.items():
            if charter_type in active_types:
                continue
            charter_id = self._new_id(ServiceCharter)
            charter_rows.append(
                (
                    charter_id,
                    charter_type.value,
                    text["title"],
                    1,
                    valid_from,
                    None,
                    True,
                    text["strategy"],
                    text["systems"],
                    text["personnel"],
                    json.dumps(CHARTER_CHANNELS, ensure_ascii=False),
                    text["procedure"],
                    text["principles"],
                    created,
                    created,
                )
            )
            for position, (words, indicator, days, target, period, *scoped) in enumerate(
                text["commitments"], start=1
            ):
                scope = scoped[0] if scoped else {}
                products = scope.get("product_categories", ())
                if products == "checked":
                    products = [category.code for category in self.categories if category.templates]
                commitment_rows.append(
                    (
                        charter_id,
                        position,
                        words,
                        indicator.value,
                        days,
                        _money(target),
                        period.value,
                        scope_text(c.value for c in scope.get("case_categories", ())),
                        scope_text(products),
                    )
                )
        S = ServiceCharter
        self._reference(
            S,
            [
                S.id,
                S.type,
                S.title,
                S.version,
                S.valid_from,
                S.valid_to,
                S.active,
                S.strategy,
                S.systems,
                S.personnel,
                S.channels,
                S.procedure,
                S.principles,
                S.created_at,
                S.updated_at,
            ],
            charter_rows,
        )
        M = CharterCommitment
        self._reference(
            M,
            [
                M.charter,
                M.position,
                M.text,
                M.indicator,
                M.days,
                M.target,
                M.period,
                M.case_categories,
                M.product_categories,
            ],
            commitment_rows,
        )

    # ------------------------------------------------------------------ identities

    def _nif(self) -> str:
        rng = self.rng
        while True:
            number = rng.randrange(10_000_000, 80_000_000)
            tax_id = f"{number:08d}{_NIF_LETTERS[number % 23]}"
            if tax_id not in self.used_tax_ids:
                self.used_tax_ids.add(tax_id)
                return tax_id

    def _nie(self) -> str:
        rng = self.rng
        while True:
            prefix = rng.randrange(3)
            number = rng.randrange(1_000_000, 10_000_000)
            tax_id = f"{'XYZ'[prefix]}{number:07d}{_NIF_LETTERS[(prefix * 10_000_000 + number) % 23]}"
            if tax_id not in self.used_tax_ids:
                self.used_tax_ids.add(tax_id)
                return tax_id

    def _cif(self, province: str, letter: str) -> str:
        rng = self.rng
        while True:
            digits = f"{province}{rng.randrange(100_000):05d}"
            total = 0
            for position, char in enumerate(digits):
                value = int(char)
                if position % 2 == 0:  # 1st, 3rd, 5th, 7th digit: doubled, digits added
                    value *= 2
                    value = value // 10 + value % 10
                total += value
            control = (10 - total % 10) % 10
            check = _CIF_LETTERS[control] if letter in "KPQSNW" else str(control)
            tax_id = f"{letter}{digits}{check}"
            if tax_id not in self.used_tax_ids:
                self.used_tax_ids.add(tax_id)
                return tax_id

    def _mobile(self) -> str:
        lead = "6" if self.rng.random() < 0.9 else "7"
        digits = f"{self.rng.randrange(10**8):08d}"
        return f"+34 {lead}{digits[0:2]} {digits[2:5]} {digits[5:8]}"

    def _landline(self, prefix: str) -> str:
        digits = prefix + f"{self.rng.randrange(10**8):08d}"[: 9 - len(prefix)]
        return f"+34 {digits[0:3]} {digits[3:6]} {digits[6:9]}"

    # ------------------------------------------------------------------ customers and sales

    def _customer(self) -> None:
        rng, today = self.rng, self.today
        choice = rng.choice
        customer_id = self._new_id(Customer)
        city, province, first_code, codes, prefix = self.cities.pick(rng)
        postal_code = f"{first_code + rng.randrange(codes):05d}"
        address = f"{choice(STREETS)} {rng.randint(1, 180)}{choice(FLOORS)}"
        company = rng.random() < 0.2
        if company:
            pattern, incorporated = choice(COMPANY_PATTERNS)
            contact = f"{choice(FEMALE_NAMES if rng.random() < 0.5 else MALE_NAMES)} {choice(SURNAMES)}"
            name = pattern.format(
                s=choice(SURNAMES), t=choice(SURNAMES), p=choice(PLACES), f=contact.split(" ")[0], c=city
            )
            if incorporated or rng.random() < 0.6:
                letter = "A" if "S.A." in name else "F" if name.startswith("Cooperativa") else "B"
                tax_id = self._cif(postal_code[:2], letter)
            else:
                tax_id = self._nif()
            slug = "".join(ch for ch in fold_for_search(name.split(",")[0]) if ch.isalnum())[:28]
            email = f"{choice(('info', 'administracion', 'contacto', 'gerencia'))}@{slug}.es"
            phone = self._landline(prefix)
            mobile = self._mobile() if rng.random() < 0.5 else ""
            present = f"{contact} (responsable)"
        else:
            first = choice(FEMALE_NAMES if rng.random() < 0.52 else MALE_NAMES)
            surname = choice(SURNAMES)
            name = f"{first} {surname} {choice(SURNAMES)}"
            roll = rng.random()
            tax_id = None if roll < 0.08 else self._nie() if roll < 0.13 else self._nif()
            if rng.random() < 0.1:
                email = ""
            else:
                local = f"{fold_for_search(first.split(' ')[0])}.{fold_for_search(surname)}".replace(" ", "")
                if rng.random() < 0.5:
                    local += str(rng.randint(1, 99))
                email = f"{local}@{self.email_domains.pick(rng)}"
            mobile = self._mobile() if rng.random() < 0.96 else ""
            phone = self._landline(prefix) if not mobile or rng.random() < 0.3 else ""
            present = name + choice(PRESENT_RELATIONS)
        channel = self.preferred_channels.pick(rng)
        if channel is ContactChannel.EMAIL and not email:
            channel = ContactChannel.PHONE
        consent = rng.random() < 0.78
        rep = None if rng.random() < 0.02 else choice(self.field_reps)
        first_day = self.calendar.on_or_before(
            today - dt.timedelta(days=int(SALES_SPAN_DAYS * rng.random() ** 1.3))
        )
        created = dt.datetime.combine(first_day, self._slot(FollowUpKind.CALL))
        code = f"C-{customer_id:05d}"  # as customers.next_customer_code suggests
        self.customer_rows.add(
            (
                customer_id,
                code,
                (CustomerKind.COMPANY if company else CustomerKind.PERSON).value,
                name,
                tax_id,
                email,
                phone,
                mobile,
                address,
                postal_code,
                city,
                province,
                "ES",
                channel.value,
                "en" if rng.random() < 0.03 else "es",
                rep,
                choice(CUSTOMER_NOTES) if rng.random() < 0.08 else "",
                consent,
                first_day if consent else None,
                rng.random() < 0.015,
                customer_search_text(code, name, tax_id, email, phone, mobile, city),
                sort_key(name),
                created,
                created,
            )
        )
        for tag_id in rng.sample(self.tag_ids, self.tag_counts.pick(rng)):
            self.customer_tag_rows.add((customer_id, tag_id))
        customer = _Customer(
            customer_id,
            rep,
            company,
            consent,
            customer_address(address, postal_code, city),
            present,
            first_day,
            city,
        )
        self._sales(customer)
        self._cases(customer)

    def _sales(self, customer: _Customer) -> None:
        rng, today, calendar = self.rng, self.today, self.calendar
        count = (self.company_sales if customer.company else self.person_sales).pick(rng)
        categories = self.company_categories if customer.company else self.person_categories
        day = customer.first_day
        for index in range(count):
            if index:
                day = calendar.on_or_before(day + rng.randint(30, 300) * _DAY)
                if day > today:
                    break
            sale_id = self._new_id(Sale)
            rep = customer.rep if customer.rep and rng.random() < 0.9 else rng.choice(self.field_reps)
            category = categories.pick(rng)
            lead = rng.randint(4, 20) if category.spec.installed else rng.randint(1, 6)
            delivered: dt.date | None = calendar.spread(day + lead * _DAY, rng)
            if delivered > today:
                delivered = None
            created = dt.datetime.combine(day, self._slot(FollowUpKind.CALL))
            updated = dt.datetime.combine(delivered, _EVENING) if delivered else created
            year_sequence = self.sale_sequences[day.year] = self.sale_sequences.get(day.year, 0) + 1
            number = f"{sale_number_prefix(day.year)}{year_sequence:0{SALE_NUMBER_WIDTH}d}"
            self.sale_rows.add(
                (
                    sale_id,
                    number,
                    customer.id,
                    rep,
                    day.isoformat(),
                    delivered.isoformat() if delivered else None,
                    "",
                    created.isoformat(" "),
                    updated.isoformat(" "),
                    fold_key(number),
                )
            )
            # Like apply_plans_for_sale: one set of plan follow-ups per category and sale, carried
            # by the sale's first unit of that category (ten chairs are not ten delivery calls).
            planned: set[int] = set()
            self._line(customer, sale_id, category, delivered, planned)
            if rng.random() < 0.1:
                self._line(customer, sale_id, categories.pick(rng), delivered, planned)
            if category.accessory is not None and rng.random() < 0.35:
                accessory = category.accessory
                line_id = self._new_id(SaleLine)
                quantity = rng.randint(1, 3)
                self.line_rows.add((line_id, sale_id, accessory.id, quantity, _money(accessory.price)))
                self.unit_rows.add(
                    [
                        self._new_id(SoldUnit),
                        line_id,
                        customer.id,
                        accessory.id,
                        None,
                        quantity,
                        0,
                        warranty_end_date(delivered, accessory.months),
                        UnitStatus.ACTIVE.value,
                        None,
                        None,
                    ]
                )

    def _line(
        self,
        customer: _Customer,
        sale_id: int,
        category: _Category,
        delivered: dt.date | None,
        planned: set[int],
    ) -> None:
        rng = self.rng
        products = category.products
        if customer.company and rng.random() < 0.4:
            candidates = [p for p in products if p.professional] or products
        else:
            candidates = [p for p in products if not p.professional] or products
        product = rng.choice(candidates)
        quantity = rng.randint(2, 4) if customer.company and rng.random() < 0.2 else 1
        price = _money(product.price * (1 - rng.choice((0, 0, 0, 0.05, 0.10))))
        extension = rng.choice((12, 24)) if rng.random() < 0.08 else 0  # extended warranty bought
        line_id = self._new_id(SaleLine)
        self.line_rows.add((line_id, sale_id, product.id, quantity, price))
        ends_on = warranty_end_date(delivered, product.months, extension)
        year = (delivered or self.today).year % 100
        for _index in range(quantity):
            unit_id = self._new_id(SoldUnit)
            serial = f"{product.prefix}{year:02d}{unit_id:07d}"
            row = [
                unit_id,
                line_id,
                customer.id,
                product.id,
                serial,
                1,
                extension,
                ends_on,
                UnitStatus.ACTIVE.value,
                None,
                fold_key(serial),
            ]
            self.unit_rows.add(row)
            if delivered is None:
                continue
            customer.units.append((unit_id, sale_id, delivered, price))
            returned_on = None
            if self.forced_returns and not customer.forced_return:
                # One example of every state first, one per customer so nobody collects them all.
                customer.forced_return = True
                returned_on = self._warranty_return(
                    customer, row, product, price, delivered, self.forced_returns.pop(0)
                )
            elif rng.random() < RETURN_RATE:
                returned_on = self._warranty_return(customer, row, product, price, delivered, None)
            if category.id not in planned:
                planned.add(category.id)
                self._plan_follow_ups(customer, unit_id, product, delivered, returned_on)

    # ------------------------------------------------------------------ follow-ups, checks, surveys

    def _plan_follow_ups(
        self,
        customer: _Customer,
        unit_id: int,
        product: _Product,
        delivered: dt.date,
        returned_on: dt.date | None,
    ) -> None:
        created = dt.datetime.combine(delivered, _EVENING)
        previous = delivered
        for step_id, step in product.category.steps:
            base = delivered if step.anchor is StepAnchor.DELIVERY else previous
            day = base + step.offset_days * _DAY
            # The first call keeps its deadline; later steps go where the agenda has room.
            day = (
                self.calendar.on_or_after(day)
                if step.offset_days <= 2
                else self.calendar.spread(day, self.rng)
            )
            previous = day
            if step.purpose is FollowUpPurpose.COMMERCIAL and not customer.consent:
                continue  # no commercial contact without consent
            self._follow_up(
                customer,
                day,
                step.kind,
                step.purpose,
                step.minutes,
                created,
                unit=unit_id,
                product=product,
                step=step_id,
                stop_on=returned_on,
            )

    def _past_result(
        self, day: dt.date, kind: FollowUpKind, attempt: int
    ) -> tuple[FollowUpState, FollowUpOutcome | None]:
        """What became of a follow-up planned for a past day (followups.complete_follow_up's rules)."""
        age = (self.today - day).days
        left_open = 0.2 if age <= 7 else 0.07 if age <= 30 else 0.015 if age <= 120 else 0.003
        roll = self.rng.random()
        if roll < left_open:
            return FollowUpState.PLANNED, None  # overdue
        roll -= left_open
        if roll < 0.035:
            return FollowUpState.CANCELLED, None
        if roll < 0.06:
            return FollowUpState.MISSED, None  # did not happen and will not be attempted again
        if roll < 0.13:
            outcome = (
                FollowUpOutcome.NOT_REACHED
                if kind is FollowUpKind.VISIT
                else self.missed_outcomes.pick(self.rng)
            )
            if outcome not in outcomes_for(kind):  # no voicemail on an e-mail or a video call
                outcome = FollowUpOutcome.NOT_REACHED
            if outcome in NOT_REACHED_OUTCOMES and attempt >= DEFAULT_MAX_ATTEMPTS:
                return FollowUpState.MISSED, outcome  # the last allowed attempt failed
            return FollowUpState.DONE, outcome
        return FollowUpState.DONE, FollowUpOutcome.REACHED

    def _follow_up(
        self,
        customer: _Customer,
        day: dt.date,
        kind: FollowUpKind,
        purpose: FollowUpPurpose,
        minutes: int,
        created: dt.datetime,
        *,
        at: dt.time | None = None,
        unit: int | None = None,
        product: _Product | None = None,
        step: int | None = None,
        case: int | None = None,
        warranty_return: int | None = None,
        stop_on: dt.date | None = None,
        state: FollowUpState | None = None,
        attempt: int = 1,
        retry_of: int | None = None,
        rep: int | None = None,
        mood: float = 0.0,
    ) -> int:
        rng, today = self.rng, self.today
        follow_up_id = self._new_id(FollowUp)
        when = dt.datetime.combine(day, at or self._slot(kind))
        if rep is None:
            rep = customer.rep if customer.rep and rng.random() < 0.85 else rng.choice(self.field_reps)
        outcome = completed = None
        notes = cancel_reason = ""
        if state is None:
            if stop_on is not None and day >= stop_on:
                state, cancel_reason = FollowUpState.CANCELLED, RETURNED_PRODUCT_REASON
            elif day < today:
                state, outcome = self._past_result(day, kind, attempt)
            else:
                state = FollowUpState.CANCELLED if rng.random() < 0.015 else FollowUpState.PLANNED
        elif state is FollowUpState.DONE:
            outcome = FollowUpOutcome.REACHED
        if state is FollowUpState.PLANNED and day >= today:
            when = self.places.place(rep, when, kind, minutes, today)
            self.places.note(rep, when, kind, minutes)
            day = when.date()
        updated = created
        if outcome is FollowUpOutcome.REACHED:
            if rng.random() < 0.6:
                notes = rng.choice(DONE_NOTES[purpose])
            completed = updated = when + dt.timedelta(minutes=minutes + rng.randint(0, 15))
        elif outcome is not None:
            if rng.random() < 0.5:
                notes = rng.choice(NOT_REACHED_NOTES)
            completed = updated = when + dt.timedelta(minutes=5)
        elif state is FollowUpState.MISSED:
            notes = rng.choice(MARKED_MISSED_NOTES)
            completed = updated = dt.datetime.combine(self.calendar.on_or_after(day + _DAY), _EVENING)
        elif state is FollowUpState.CANCELLED:
            cancel_reason = cancel_reason or rng.choice(CANCEL_REASONS)
            updated = max(created, min(when, self.midnight) - dt.timedelta(hours=20))
        self.follow_up_rows.add(
            (
                follow_up_id,
                customer.id,
                rep,
                kind.value,
                purpose.value,
                when.isoformat(" "),
                minutes,
                customer.place if kind is FollowUpKind.VISIT else "",
                state.value,
                outcome.value if outcome else None,
                notes,
                attempt,
                completed.isoformat(" ") if completed else None,
                cancel_reason,
                unit,
                case,
                warranty_return,
                step,
                retry_of,
                created.isoformat(" "),
                updated.isoformat(" "),
            )
        )
        if outcome is FollowUpOutcome.REACHED:
            if purpose is FollowUpPurpose.USAGE_CHECK and product is not None:
                self._usage_check(customer, follow_up_id, rep, when, minutes, unit, product, completed=True)
            elif purpose is FollowUpPurpose.SATISFACTION and (case or rng.random() < 0.75):
                score = self._survey(customer, rep, day, follow_up=follow_up_id, case=case, mood=mood)
                if score <= 2 and case is None:
                    customer.low_calls.append((follow_up_id, day))
        elif (
            state is FollowUpState.DONE and outcome in RETRY_OUTCOMES and attempt < 6 and rng.random() < 0.92
        ):
            # The rep accepts the proposed retry (followups._create_retry): next working day, same time.
            retry_day = self.calendar.on_or_after(completed.date() + _DAY)
            self._follow_up(
                customer,
                retry_day,
                kind,
                purpose,
                minutes,
                completed,
                at=when.time(),
                unit=unit,
                product=product,
                case=case,
                warranty_return=warranty_return,
                stop_on=stop_on,
                attempt=attempt + 1,
                retry_of=follow_up_id,
                rep=rep,
                mood=mood,
            )
        elif (
            state is FollowUpState.PLANNED
            and day < today
            and purpose is FollowUpPurpose.USAGE_CHECK
            and product is not None
            and rng.random() < 0.25
        ):
            self._usage_check(customer, follow_up_id, rep, when, minutes, unit, product, completed=False)
        return follow_up_id

    def _usage_check(
        self,
        customer: _Customer,
        follow_up_id: int,
        rep: int | None,
        when: dt.datetime,
        minutes: int,
        unit: int | None,
        product: _Product,
        *,
        completed: bool,
    ) -> None:
        rng = self.rng
        check_id = self._new_id(UsageCheck)
        template_id, items = product.category.template_on(when.date())
        ok = not_ok = 0
        critical_failed = False
        for item_id, critical in items:
            roll = rng.random()
            note, trained = "", False
            if not completed and roll < 0.4:
                result = None  # not answered yet
            elif not critical and roll < 0.05:
                result = CheckAnswerResult.NOT_APPLICABLE.value
            elif roll < (0.03 if critical else 0.09):
                result = CheckAnswerResult.NOT_OK.value
                note, trained = rng.choice(CHECK_FAIL_NOTES), rng.random() < 0.7
                not_ok += 1
                critical_failed = critical_failed or critical
            else:
                result = CheckAnswerResult.OK.value
                ok += 1
            self.answer_rows.add((check_id, item_id, result, note, trained))
        finished = when + dt.timedelta(minutes=minutes)
        started_text, finished_text = when.isoformat(" "), finished.isoformat(" ")
        score = passed = None
        if completed:
            score = round(ok / (ok + not_ok), 4) if ok + not_ok else None
            passed = not critical_failed and (score is None or score >= 0.8)
        self.check_rows.add(
            (
                check_id,
                template_id,
                unit,
                customer.id,
                rep,
                follow_up_id,
                (CheckStatus.COMPLETED if completed else CheckStatus.DRAFT).value,
                started_text,
                finished_text if completed else None,
                customer.present,
                score,
                passed,
                "" if passed in (None, True) else "Se programa una sesión de formación.",
                started_text,
                finished_text,
            )
        )
        if completed and not passed:
            # An item failed: go back and train the customer.
            kind = FollowUpKind.VISIT if product.category.spec.installed else FollowUpKind.VIDEO
            day = self.calendar.spread(when.date() + 7 * _DAY, rng)
            self._follow_up(customer, day, kind, FollowUpPurpose.TRAINING, 30, finished, unit=unit)

    def _survey(
        self,
        customer: _Customer,
        rep: int | None,
        day: dt.date,
        *,
        follow_up: int | None = None,
        case: int | None = None,
        warranty_return: int | None = None,
        mood: float = 0.0,
    ) -> int:
        """Write a survey; satisfaction drifts upwards over the period. Returns the 1–5 score."""
        rng = self.rng
        recent = 1 - min((self.today - day).days, SALES_SPAN_DAYS) / SALES_SPAN_DAYS
        roll = rng.random() + 0.1 * recent + mood
        satisfaction = (
            1 if roll < 0.04 else 2 if roll < 0.11 else 3 if roll < 0.26 else 4 if roll < 0.62 else 5
        )
        recommend = max(0, min(10, round(satisfaction * 2 - 0.5 + rng.gauss(0, 1.3))))
        cause = comment = None
        if satisfaction <= 2 or (satisfaction == 3 and rng.random() < 0.5):
            cause = self.causes.pick(rng).value
            comment = rng.choice(SURVEY_COMMENTS_BAD) if rng.random() < 0.6 else ""
        else:
            comment = rng.choice(SURVEY_COMMENTS_GOOD) if rng.random() < 0.4 else ""
        taken = dt.datetime.combine(day, _EVENING).isoformat(" ")
        self.survey_rows.add(
            (
                customer.id,
                rep,
                day.isoformat(),
                satisfaction,
                recommend,
                comment,
                cause,
                follow_up,
                case,
                warranty_return,
                taken,
                taken,
            )
        )
        return satisfaction

    # ------------------------------------------------------------------ warranty returns

    def _warranty_return(
        self,
        customer: _Customer,
        unit_row: list,
        product: _Product,
        price: Decimal,
        delivered: dt.date,
        state: ReturnState | None,
    ) -> dt.date | None:
        """Write a return of the unit; the day it was refunded or credited (plans stop there), if it was."""
        rng, today, calendar = self.rng, self.today, self.calendar
        if state is not None:
            low, high = _RETURN_AGES[state]
            reported = max(delivered, calendar.on_or_before(today - rng.randint(low, high) * _DAY))
        else:
            reported = delivered + int(rng.expovariate(1 / 150)) * _DAY
            if reported > today:
                return None
            reported = max(delivered, calendar.on_or_before(reported))
            state = self.return_states.pick(rng, (today - reported).days)
        paths = _RETURN_PATHS[state]
        path = paths[0][0] if len(paths) == 1 else _Weighted(paths).pick(rng)
        moments = self._chain(reported, [rng.randint(*_RETURN_GAPS[to]) for to in path[1:]])
        day_of = {to: moment.date() for to, moment in zip(path, moments, strict=True)}
        return_id = self._new_id(WarrantyReturn)
        unit_id = unit_row[0]
        reason = self.return_reasons.pick(rng)
        warranty = WarrantyStatus.on(unit_row[7], reported)
        out_of_warranty = None
        if not warranty.under_warranty:
            out_of_warranty = (
                OutOfWarrantyReason.GOODWILL if rng.random() < 0.4 else OutOfWarrantyReason.PAID_REPAIR
            ).value
        received = _RS.RECEIVED in day_of
        repaired = _RS.REPAIRED in day_of
        refund = price if (_RS.REFUNDED in day_of or _RS.CREDITED in day_of) else None
        replacement_id = None
        stop_on = None
        if _RS.REPLACED in day_of:
            replaced_on = day_of[_RS.REPLACED]
            replacement_id = self._new_id(SoldUnit)
            unit_row[8] = UnitStatus.REPLACED.value
            serial = f"{product.prefix}{replaced_on.year % 100:02d}{replacement_id:07d}"
            self.unit_rows.add(
                [
                    replacement_id,
                    unit_row[1],
                    customer.id,
                    product.id,
                    serial,
                    1,
                    0,
                    warranty_end_date(replaced_on, product.months),
                    UnitStatus.ACTIVE.value,
                    unit_id,
                    fold_key(serial),
                ]
            )
        elif refund is not None:
            unit_row[8] = UnitStatus.RETURNED.value
            stop_on = day_of.get(_RS.REFUNDED) or day_of[_RS.CREDITED]
        resolved_on = next((day_of[s] for s in path if s in _RESOLUTIONS), None)
        closed_on = day_of.get(_RS.CLOSED) or day_of.get(_RS.CANCELLED)
        rep = customer.rep or rng.choice(self.field_reps)
        self.return_rows.add(
            (
                return_id,
                f"TMP-{return_id}",
                reported.year,
                -return_id,
                unit_id,
                customer.id,
                rep,
                reason.value,
                rng.choice(RETURN_DESCRIPTIONS[reason]),
                reported,
                state.value,
                warranty.under_warranty,
                warranty.days,
                out_of_warranty,
                rng.choice(INSPECTION_NOTES) if _RS.INSPECTED in day_of else "",
                replacement_id,
                refund,
                _money(rng.uniform(10, 180)) if repaired else Decimal(0),
                _money(rng.uniform(25, 120)) if repaired else Decimal(0),
                _money(rng.uniform(8, 35)) if received else Decimal(0),
                resolved_on,
                closed_on,
                moments[0],
                moments[-1],
            )
        )
        self.return_keys.append((reported, return_id))
        previous = None
        for to, moment in zip(path, moments, strict=True):
            by = rng.choice(self.managers) if to in _DECIDED_BY_MANAGER else rep
            self.return_change_rows.add((return_id, previous, to.value, moment, by, _RETURN_NOTES[to]))
            previous = to.value
        if resolved_on is not None:
            day = calendar.on_or_after(resolved_on + _DAY)
            self._follow_up(
                customer,
                day,
                FollowUpKind.CALL,
                FollowUpPurpose.WARRANTY,
                10,
                moments[-1],
                unit=unit_id,
                warranty_return=return_id,
                state=FollowUpState.DONE if day < today else FollowUpState.PLANNED,
            )
        elif closed_on is None:
            day = calendar.on_or_after(reported + 5 * _DAY)
            self._follow_up(
                customer,
                day,
                FollowUpKind.CALL,
                FollowUpPurpose.WARRANTY,
                10,
                moments[0],
                unit=unit_id,
                warranty_return=return_id,
                state=FollowUpState.PLANNED,
            )
        if state is _RS.CLOSED and rng.random() < 0.5:
            taken = min(today, calendar.on_or_after(closed_on + rng.randint(2, 10) * _DAY))
            self._survey(
                customer,
                rep,
                taken,
                warranty_return=return_id,
                mood=-0.25 if _RS.REJECTED in day_of else 0.05,
            )
        return stop_on

    # ------------------------------------------------------------------ cases

    def _cases(self, customer: _Customer) -> None:
        rng = self.rng
        if self.forced_cases:
            kind, stage = self.forced_cases.pop(0)
            self._case(customer, kind, stage)
        if rng.random() < (0.07 if customer.company else 0.035):
            self._case(customer, self.case_kinds.pick(rng), None)
        for follow_up_id, day in customer.low_calls:
            if rng.random() < 0.3:
                self._case(customer, CaseKind.COMPLAINT, None, origin=(follow_up_id, day))

    def _case(
        self,
        customer: _Customer,
        kind: CaseKind,
        stage: CaseStage | None,
        origin: tuple[int, dt.date] | None = None,
    ) -> None:
        rng, today, calendar = self.rng, self.today, self.calendar
        complaint = kind in (CaseKind.COMPLAINT, CaseKind.CLAIM)
        if origin is not None:
            received = origin[1]
        elif stage is not None:
            low, high = _CASE_AGES[stage] if complaint or stage is not _CS.CLOSED else (20, 600)
            received = today - rng.randint(low, high) * _DAY
        else:
            received = customer.first_day + int(rng.random() * ((today - customer.first_day).days + 1)) * _DAY
        received = max(customer.first_day, calendar.on_or_before(received))
        if stage is None:
            age = (today - received).days
            stage = (self.complaint_stages if complaint else self.note_stages).pick(rng, age)
        if complaint:
            paths = _COMPLAINT_PATHS[stage]
            path = paths[0][0] if len(paths) == 1 else _Weighted(paths).pick(rng)
        else:
            path = _NOTE_PATHS[stage]
        gaps = []
        for before, to in itertools.pairwise(path):
            low_high = _CLOSING_GAPS[before] if to is _CS.CLOSED else _CASE_GAPS[to]
            gaps.append(rng.randint(*low_high))
        moments = self._chain(received, gaps)
        day_of = {to: moment.date() for to, moment in zip(path, moments, strict=True)}
        case_id = self._new_id(Case)
        rep = customer.rep or rng.choice(self.field_reps)
        sale = unit = category = severity = agreed = None
        words = compensation = mediation_body = mediation_reference = mediation_outcome = department = (
            response
        ) = ""
        first_answer = closed = mediation_on = None
        if complaint:
            category = CaseCategory.PRODUCT_DEFECT if origin else self.case_categories.pick(rng)
            if category in _UNIT_CATEGORIES:
                units = [u for u in customer.units if u[2] <= received]
                if units:
                    unit_id, sale, _delivered, price = rng.choice(units)
                    unit = unit_id
                else:
                    category, price = rng.choice(_OTHER_CATEGORIES), None
            else:
                price = None
            words = rng.choice(CASE_WORDS[category])
            if kind is CaseKind.CLAIM:
                compensation = rng.choice(CLAIM_COMPENSATIONS)
                channel = self.claim_channels.pick(rng)
                severity = rng.choice(
                    (Severity.HIGH, Severity.HIGH, Severity.MEDIUM, Severity.MEDIUM, Severity.LOW)
                )
            else:
                channel = ContactChannel.PHONE if origin else self.complaint_channels.pick(rng)
                severity = rng.choice(
                    (Severity.LOW, Severity.LOW, Severity.MEDIUM, Severity.MEDIUM, Severity.HIGH)
                )
            agreed = channel if channel is not ContactChannel.SOCIAL else ContactChannel.EMAIL
            if _CS.SERVICE in day_of:
                first_answer = day_of[_CS.SERVICE]
                self._proposals(case_id, path, moments, category, agreed, price)
            closed = day_of.get(_CS.SATISFACTION) or day_of.get(_CS.CLOSED)
            if _CS.EXTERNAL_MEDIATION in day_of:
                mediation_on = day_of[_CS.EXTERNAL_MEDIATION]
                mediation_body = rng.choice(MEDIATION_BODIES)
                if mediation_body.startswith("OMIC"):
                    mediation_body = f"OMIC de {customer.city}"
                mediation_reference = f"JAC-{mediation_on.year}-{rng.randint(100, 99999):05d}"
                if _CS.CLOSED in day_of:
                    mediation_outcome = rng.choice(MEDIATION_OUTCOMES)
        else:
            words = rng.choice(SUGGESTIONS if kind is CaseKind.SUGGESTION else COMPLIMENTS)
            channel = self.note_channels.pick(rng)
            first_answer = day_of.get(_CS.ACKNOWLEDGED)
            closed = day_of.get(_CS.CLOSED)
            if _CS.FORWARDED in day_of:
                department = rng.choice(DEPARTMENTS)
                if closed:
                    response = rng.choice(DEPARTMENT_RESPONSES)
        if not complaint or _CS.ANALYSIS not in day_of:
            category_code = severity_code = None
        else:
            category_code, severity_code = category.value, severity.value
        if _CS.SERVICE not in day_of:
            agreed = None
        self.case_rows.add(
            (
                case_id,
                f"TMP-{case_id}",
                received.year,
                CaseSeries.of(kind).value,
                -case_id,
                kind.value,
                stage.value,
                customer.id,
                rng.choice(self.managers) if stage is _CS.EXTERNAL_MEDIATION else rep,
                channel.value,
                received,
                words,
                compensation,
                sale,
                unit,
                origin[0] if origin else None,
                category_code,
                severity_code,
                agreed.value if agreed else None,
                first_answer,
                closed,
                mediation_body,
                mediation_reference,
                mediation_on,
                mediation_outcome,
                department,
                response,
                moments[0],
                moments[-1],
            )
        )
        self.case_keys[CaseSeries.of(kind)].append((received, case_id))
        previous = None
        for to, moment in zip(path, moments, strict=True):
            by = rng.choice(self.managers) if to is _CS.EXTERNAL_MEDIATION else rep
            self.stage_change_rows.add((case_id, previous, to.value, moment, by, _STAGE_NOTES[to]))
            previous = to.value
        if not complaint:
            return
        last, moment = path[-1], moments[-1]
        if last in (_CS.SERVICE, _CS.INTERNAL_NEGOTIATION):
            # Waiting for the customer's answer to the proposal.
            day = calendar.on_or_after(moment.date() + (3 if last is _CS.SERVICE else 5) * _DAY)
            self._follow_up(
                customer,
                day,
                FollowUpKind.CALL,
                FollowUpPurpose.CASE,
                15,
                moment,
                unit=unit,
                case=case_id,
                state=FollowUpState.PLANNED,
            )
        elif last is _CS.SATISFACTION:
            day = calendar.on_or_after(moment.date() + 14 * _DAY)
            self._follow_up(
                customer,
                day,
                FollowUpKind.CALL,
                FollowUpPurpose.SATISFACTION,
                10,
                moment,
                unit=unit,
                case=case_id,
                state=FollowUpState.PLANNED,
            )
        elif last is _CS.CLOSED and _CS.SATISFACTION in day_of:
            satisfaction_moment = moments[path.index(_CS.SATISFACTION)]
            self._follow_up(
                customer,
                moment.date(),
                FollowUpKind.CALL,
                FollowUpPurpose.SATISFACTION,
                10,
                satisfaction_moment,
                unit=unit,
                case=case_id,
                state=FollowUpState.DONE,
                mood=-0.1 if _CS.INTERNAL_NEGOTIATION in day_of else 0.05,
            )

    def _proposals(
        self,
        case_id: int,
        path: list[CaseStage],
        moments: list[dt.datetime],
        category: CaseCategory,
        channel: ContactChannel,
        price: Decimal | None,
    ) -> None:
        rng = self.rng
        rounds: list[tuple[dt.date, SolutionType, ProposalAnswer, dt.date | None]] = []
        for index, stage in enumerate(path):
            if stage not in (_CS.SERVICE, _CS.INTERNAL_NEGOTIATION):
                continue
            if stage is _CS.SERVICE:
                solution = rng.choice(SOLUTIONS_BY_CATEGORY[category])
            else:
                solution = rng.choice([s for s in _COMPENSATIONS if s is not rounds[-1][1]])
            following = path[index + 1] if index + 1 < len(path) else None
            if following is None:
                answer, answered = ProposalAnswer.PENDING, None
            elif following in (_CS.SATISFACTION, _CS.CLOSED):
                answer, answered = ProposalAnswer.ACCEPTED, moments[index + 1].date()
            else:
                answer, answered = ProposalAnswer.REJECTED, moments[index + 1].date()
            rounds.append((moments[index].date(), solution, answer, answered))
        if path[-1] is _CS.CLOSED and _CS.EXTERNAL_MEDIATION in path and rng.random() < 0.6:
            closing = moments[-1].date()
            rounds.append((closing, rng.choice(_COMPENSATIONS), ProposalAnswer.ACCEPTED, closing))
        for number, (proposed, solution, answer, answered) in enumerate(rounds, start=1):
            amount = None
            if solution is SolutionType.GIFT:
                amount = _money(rng.choice((20, 30, 50, 80)))
            elif solution is SolutionType.DISCOUNT:
                amount = _money(rng.choice((25, 50, 100, 150)))
            elif solution in (SolutionType.RETURN, SolutionType.EXCHANGE):
                amount = price
            detail = SOLUTION_DETAILS[solution]
            if (
                number > 1
                and _CS.EXTERNAL_MEDIATION in path
                and number == len(rounds)
                and answer is ProposalAnswer.ACCEPTED
            ):
                detail = "Solución acordada en mediación: " + detail[0].lower() + detail[1:]
            self.proposal_rows.add(
                (
                    case_id,
                    number,
                    proposed,
                    solution.value,
                    detail,
                    amount,
                    channel.value,
                    answer.value,
                    answered,
                )
            )

    # ------------------------------------------------------------------ numbering

    def _number(self, table: str, prefix: str, keys: list[tuple[dt.date, int]]) -> None:
        """Number returns or one series of cases in date order, without gaps, starting at 1 each year."""
        quote = db.obj.quote
        param = db.obj.param

        def q(name: str) -> str:
            return f"{quote[0]}{name}{quote[1]}"

        sql = f"UPDATE {q(table)} SET {q('number')} = {param}, {q('sequence')} = {param} WHERE {q('id')} = {param}"
        updates, year, sequence = [], None, 0
        for day, row_id in sorted(keys):
            if day.year != year:
                year, sequence = day.year, 0
            sequence += 1
            updates.append((f"{prefix}{year}-{sequence:04d}", sequence, row_id))
        if updates:
            db.cursor().executemany(sql, updates)
