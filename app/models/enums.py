"""Every choice the domain knows, stored as a short stable code.

The code is what goes into the database and never changes; the label is English
source text marked with N_() and translated at display time with `choice.label`.
"""

from __future__ import annotations

from enum import StrEnum

from app.i18n import N_, _


class Choice(StrEnum):
    """A str enum whose members carry an untranslated label: `KIND = "code", N_("Label")`."""

    def __new__(cls, code: str, label: str = ""):
        member = str.__new__(cls, code)
        member._value_ = code
        member._label = label or code
        return member

    @property
    def label(self) -> str:
        return _(self._label)


class RepRole(Choice):
    REP = "rep", N_("Sales rep")
    MANAGER = "manager", N_("Manager")


class CustomerKind(Choice):
    PERSON = "person", N_("Person")
    COMPANY = "company", N_("Company")


class ContactChannel(Choice):
    PHONE = "phone", N_("Phone")
    EMAIL = "email", N_("E-mail")
    POST = "post", N_("Post")
    IN_PERSON = "in_person", N_("In person")
    WEB = "web", N_("Web form")
    SOCIAL = "social", N_("Social media")


class Segment(Choice):
    A = "A", N_("A (top value)")
    B = "B", N_("B (middle value)")
    C = "C", N_("C (low value)")


class UnitStatus(Choice):
    ACTIVE = "active", N_("In use")
    RETURNED = "returned", N_("Returned")
    REPLACED = "replaced", N_("Replaced")


class FollowUpKind(Choice):
    CALL = "call", N_("Phone call")
    VISIT = "visit", N_("Personal visit")
    VIDEO = "video", N_("Video call")
    EMAIL = "email", N_("E-mail")
    TELEMARKETING = "telemarketing", N_("Telemarketing")


class FollowUpPurpose(Choice):
    DELIVERY = "delivery", N_("Delivery confirmation")
    USAGE_CHECK = "usage_check", N_("Correct-use check")
    SATISFACTION = "satisfaction", N_("Satisfaction survey")
    COMMERCIAL = "commercial", N_("Commercial follow-up / offers")
    CASE = "case", N_("Complaint follow-up")
    WARRANTY = "warranty", N_("Warranty")
    RECOVERY = "recovery", N_("Lost-customer recovery")
    TRAINING = "training", N_("Training")


class FollowUpState(Choice):
    PLANNED = "planned", N_("Planned")
    DONE = "done", N_("Done")
    MISSED = "missed", N_("Missed")
    CANCELLED = "cancelled", N_("Cancelled")


class FollowUpOutcome(Choice):
    REACHED = "reached", N_("Reached")
    NOT_REACHED = "not_reached", N_("Not reached")
    VOICEMAIL = "voicemail", N_("Voicemail")
    WRONG_NUMBER = "wrong_number", N_("Wrong number")
    CALL_LATER = "call_later", N_("Asked to call later")


class StepAnchor(Choice):
    DELIVERY = "delivery", N_("Days after delivery")
    PREVIOUS = "previous", N_("Days after the previous step")


class CheckStatus(Choice):
    DRAFT = "draft", N_("Draft")
    COMPLETED = "completed", N_("Completed")


class CheckAnswerResult(Choice):
    OK = "ok", N_("OK")
    NOT_OK = "not_ok", N_("Not OK")
    NOT_APPLICABLE = "na", N_("Not applicable")


class ReturnReason(Choice):
    DEFECT_ON_ARRIVAL = "doa", N_("Defect on arrival")
    FAILURE_IN_USE = "failure", N_("Failure in use")
    TRANSPORT_DAMAGE = "transport", N_("Damaged in transport")
    WRONG_ITEM = "wrong_item", N_("Wrong item")
    NOT_AS_DESCRIBED = "not_described", N_("Not as described")
    CHANGED_MIND = "changed_mind", N_("Customer changed mind")
    OTHER = "other", N_("Other")


class ReturnState(Choice):
    REQUESTED = "requested", N_("Requested")
    RECEIVED = "received", N_("Received")
    INSPECTED = "inspected", N_("Inspected")
    APPROVED = "approved", N_("Approved")
    REJECTED = "rejected", N_("Rejected")
    REPAIRED = "repaired", N_("Repaired")
    REPLACED = "replaced", N_("Replaced")
    REFUNDED = "refunded", N_("Refunded")
    CREDITED = "credited", N_("Credited")
    RETURNED_TO_CUSTOMER = "returned", N_("Returned to customer")
    CLOSED = "closed", N_("Closed")
    CANCELLED = "cancelled", N_("Cancelled")


class OutOfWarrantyReason(Choice):
    GOODWILL = "goodwill", N_("Goodwill")
    PAID_REPAIR = "paid_repair", N_("Paid repair")


class CaseKind(Choice):
    COMPLAINT = "complaint", N_("Complaint")
    CLAIM = "claim", N_("Claim")
    SUGGESTION = "suggestion", N_("Suggestion")
    COMPLIMENT = "compliment", N_("Compliment")


class CaseSeries(Choice):
    """The numbering series of cases (a sequence a year each, with its own prefix, a company setting).

    Complaints and claims share one: the annual register's, gapless whatever else arrives.
    Suggestions and compliments are numbered apart, one series each. Not shown to users.
    """

    COMPLAINT = "complaint"  # complaints and claims
    SUGGESTION = "suggestion"
    COMPLIMENT = "compliment"

    @classmethod
    def of(cls, kind: CaseKind) -> CaseSeries:
        kind = CaseKind(kind)
        return cls.COMPLAINT if kind is CaseKind.CLAIM else cls(kind.value)


class CaseStage(Choice):
    # Complaints and claims (seed 003's four stages, service split by the customer's answer).
    RECEPTION = "reception", N_("Reception")
    ANALYSIS = "analysis", N_("Analysis")
    SERVICE = "service", N_("Service")
    INTERNAL_NEGOTIATION = "negotiation", N_("Internal negotiation")
    EXTERNAL_MEDIATION = "mediation", N_("External mediation")
    SATISFACTION = "satisfaction", N_("Satisfaction analysis")
    # Suggestions and compliments.
    RECEIVED = "received", N_("Received")
    ACKNOWLEDGED = "acknowledged", N_("Acknowledged")
    FORWARDED = "forwarded", N_("Forwarded")
    CLOSED = "closed", N_("Closed")


class CaseCategory(Choice):
    PRODUCT_DEFECT = "defect", N_("Product defect")
    DELIVERY_DELAY = "delay", N_("Delivery delay")
    INSTALLATION = "installation", N_("Installation")
    STAFF_CONDUCT = "staff", N_("Staff conduct")
    BILLING = "billing", N_("Billing")
    INFORMATION = "information", N_("Information")
    OTHER = "other", N_("Other")


class Severity(Choice):
    LOW = "low", N_("Low")
    MEDIUM = "medium", N_("Medium")
    HIGH = "high", N_("High")


class SolutionType(Choice):
    RETURN = "return", N_("Return of the product")
    EXCHANGE = "exchange", N_("Exchange")
    TECHNICAL_ASSISTANCE = "assistance", N_("Technical assistance")
    APOLOGY = "apology", N_("Apology")
    GIFT = "gift", N_("Compensation with a gift")
    DISCOUNT = "discount", N_("Compensation with a discount")
    OTHER = "other", N_("Other")


class ProposalAnswer(Choice):
    PENDING = "pending", N_("Waiting for the customer")
    ACCEPTED = "accepted", N_("Accepted")
    REJECTED = "rejected", N_("Rejected")


class DissatisfactionCause(Choice):
    PRODUCT = "product", N_("Product quality")
    PRICE = "price", N_("Price")
    DELIVERY = "delivery", N_("Delivery")
    ATTENTION = "attention", N_("Customer attention")
    RESPONSE_TIME = "response_time", N_("Response time")
    OTHER = "other", N_("Other")


class CharterType(Choice):
    PRODUCT_ACCESS = "access", N_("Product access")
    FINANCING = "financing", N_("Financing")
    CUSTOMER_ATTENTION = "attention", N_("Customer attention")


class CharterIndicator(Choice):
    FIRST_CONTACT_AFTER_DELIVERY = (
        "first_contact",
        N_("Deliveries with a first contact within N working days"),
    )
    CLAIMS_ANSWERED = "claims_answered", N_("Claims answered within N days")
    COMPLAINTS_CLOSED = "complaints_closed", N_("Complaints closed within N days")
    RETURNS_RESOLVED = "returns_resolved", N_("Warranty returns resolved within N days")
    FOLLOW_UPS_ON_TIME = "follow_ups_on_time", N_("Follow-ups done on time")
    USAGE_CHECKS_AFTER_DELIVERY = (
        "usage_checks_done",
        N_("Delivered units with a usage check within N days"),
    )
    CHECKS_PASSED = "checks_passed", N_("Usage checks passed")
    AVERAGE_SATISFACTION = "avg_satisfaction", N_("Average satisfaction (1–5)")
    NPS = "nps", N_("Net promoter score")


class CharterPeriod(Choice):
    MONTH = "month", N_("Monthly")
    QUARTER = "quarter", N_("Quarterly")
    YEAR = "year", N_("Yearly")
