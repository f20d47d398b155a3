"""Peewee models and database setup. No Qt here."""

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

# In dependency order: create_tables sorts them anyway, row counts read nicely this way.
ALL_MODELS = [
    SchemaVersion,
    CompanySetting,
    Rep,
    Customer,
    NeedTag,
    CustomerNeedTag,
    ProductCategory,
    Product,
    Sale,
    SaleLine,
    SoldUnit,
    Case,
    CaseProposal,
    CaseStageChange,
    WarrantyReturn,
    ReturnStatusChange,
    FollowUpPlan,
    FollowUpPlanStep,
    FollowUp,
    CheckTemplate,
    CheckItem,
    UsageCheck,
    CheckAnswer,
    SatisfactionSurvey,
    ServiceCharter,
    CharterCommitment,
    CustomerErasure,
    AuditEntry,
]

__all__ = [m.__name__ for m in ALL_MODELS] + ["ALL_MODELS", "BaseModel", "db", "now"]
