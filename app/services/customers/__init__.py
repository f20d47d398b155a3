"""Customers: their records, their value to the company and who is at risk. No Qt.

- `records`: validation, commands, the searchable list and the 360° view (re-exported here, so
  `app.services.customers` keeps working as the customers module it was).
- `value`: customer value, the A/B/C segments and their thresholds.
- `risk`: customers at risk of leaving and loyalty candidates.
"""

from app.services.customers.records import (
    SORT_KEYS,
    CaseSummary,
    Customer360,
    CustomerDetail,
    CustomerInput,
    CustomerRow,
    FollowUpSummary,
    ReturnSummary,
    SaleSummary,
    SoldUnitRow,
    SurveySummary,
    UsageCheckSummary,
    archive_customer,
    count_customers,
    create_customer,
    customer_360,
    get_customer,
    list_need_tags,
    next_customer_code,
    normalise_tax_id,
    phone_digit_count,
    postcode_error,
    restore_customer,
    search_customers,
    spanish_tax_id_is_valid,
    update_customer,
    validate_customer,
)

__all__ = [
    "CaseSummary",
    "Customer360",
    "CustomerDetail",
    "CustomerInput",
    "CustomerRow",
    "FollowUpSummary",
    "ReturnSummary",
    "SORT_KEYS",
    "SaleSummary",
    "SoldUnitRow",
    "SurveySummary",
    "UsageCheckSummary",
    "archive_customer",
    "count_customers",
    "create_customer",
    "customer_360",
    "get_customer",
    "list_need_tags",
    "next_customer_code",
    "normalise_tax_id",
    "phone_digit_count",
    "postcode_error",
    "restore_customer",
    "search_customers",
    "spanish_tax_id_is_valid",
    "update_customer",
    "validate_customer",
]
