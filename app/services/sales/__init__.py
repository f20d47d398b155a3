"""Sales: what a customer bought, the sold units and their warranty, and the product catalogue. No Qt.

- `recording`: recording sales and delivery dates, the sold units (re-exported here, so
  `app.services.sales` keeps working as the sales module it was).
- `warranty`: the one place that knows how a warranty end is computed.
- `catalog`: product categories and products (deactivated, never deleted).
"""

from app.services.sales.recording import (
    MAX_QUANTITY,
    MAX_SERIALISED_QUANTITY,
    MAX_WARRANTY_EXTENSION_MONTHS,
    SALE_NUMBER_WIDTH,
    ProductRow,
    SaleLineInput,
    list_products,
    next_sale_number,
    record_sale,
    sale_number_prefix,
    serial_taken_error,
    set_delivery_date,
)

__all__ = [
    "MAX_QUANTITY",
    "MAX_SERIALISED_QUANTITY",
    "MAX_WARRANTY_EXTENSION_MONTHS",
    "ProductRow",
    "SALE_NUMBER_WIDTH",
    "SaleLineInput",
    "list_products",
    "next_sale_number",
    "record_sale",
    "sale_number_prefix",
    "serial_taken_error",
    "set_delivery_date",
]
