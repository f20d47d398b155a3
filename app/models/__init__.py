"""Peewee models and database setup. No Qt here.

`from app.models import Customer` works as for any package, but the model modules (and peewee) are
imported when one of their names is first asked for, not with the package: the small modules beside
them (app.models.window_lock, app.models.enums, …) are then imported without them, as the window's
first paint does (issue 19).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from peewee import Model

    from app.models.base import BaseModel, db, now
    from app.models.cases import Case, CaseProposal, CaseStageChange
    from app.models.catalog import Product, ProductCategory, Sale, SaleLine, SoldUnit
    from app.models.charters import CharterCommitment, ServiceCharter
    from app.models.checks import CheckAnswer, CheckItem, CheckTemplate, UsageCheck
    from app.models.customers import Customer, CustomerErasure, CustomerNeedTag, NeedTag, Rep
    from app.models.followups import FollowUp, FollowUpPlan, FollowUpPlanStep
    from app.models.returns import ReturnStatusChange, WarrantyReturn
    from app.models.satisfaction import SatisfactionSurvey
    from app.models.system import AuditEntry, CompanySetting, SchemaVersion

    ALL_MODELS: list[type[Model]]

# Each model, in dependency order (create_tables sorts them anyway, row counts read nicely this
# way), with the module that defines it.
_MODEL_MODULES = {
    "SchemaVersion": "system",
    "CompanySetting": "system",
    "Rep": "customers",
    "Customer": "customers",
    "NeedTag": "customers",
    "CustomerNeedTag": "customers",
    "ProductCategory": "catalog",
    "Product": "catalog",
    "Sale": "catalog",
    "SaleLine": "catalog",
    "SoldUnit": "catalog",
    "Case": "cases",
    "CaseProposal": "cases",
    "CaseStageChange": "cases",
    "WarrantyReturn": "returns",
    "ReturnStatusChange": "returns",
    "FollowUpPlan": "followups",
    "FollowUpPlanStep": "followups",
    "FollowUp": "followups",
    "CheckTemplate": "checks",
    "CheckItem": "checks",
    "UsageCheck": "checks",
    "CheckAnswer": "checks",
    "SatisfactionSurvey": "satisfaction",
    "ServiceCharter": "charters",
    "CharterCommitment": "charters",
    "CustomerErasure": "customers",
    "AuditEntry": "system",
}
_BASE_NAMES = ("BaseModel", "db", "now")

__all__ = [  # what the package gives (each imported on first use)
    "SchemaVersion",
    "CompanySetting",
    "Rep",
    "Customer",
    "NeedTag",
    "CustomerNeedTag",
    "ProductCategory",
    "Product",
    "Sale",
    "SaleLine",
    "SoldUnit",
    "Case",
    "CaseProposal",
    "CaseStageChange",
    "WarrantyReturn",
    "ReturnStatusChange",
    "FollowUpPlan",
    "FollowUpPlanStep",
    "FollowUp",
    "CheckTemplate",
    "CheckItem",
    "UsageCheck",
    "CheckAnswer",
    "SatisfactionSurvey",
    "ServiceCharter",
    "CharterCommitment",
    "CustomerErasure",
    "AuditEntry",
    "ALL_MODELS",
    "BaseModel",
    "db",
    "now",
]


def __getattr__(name: str) -> Any:
    """A model, the base names or ALL_MODELS, imported on first use and kept as a package attribute."""
    if name in _MODEL_MODULES:
        value = getattr(importlib.import_module(f"app.models.{_MODEL_MODULES[name]}"), name)
    elif name in _BASE_NAMES:
        value = getattr(importlib.import_module("app.models.base"), name)
    elif name == "ALL_MODELS":
        value = [__getattr__(model) for model in _MODEL_MODULES]
    else:  # a submodule (`from app.models import cipher`) is then imported by the import system
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value
