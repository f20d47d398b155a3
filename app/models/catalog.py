"""Products, sales, sale lines and the sold units that carry a warranty."""

from __future__ import annotations

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DecimalField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from app.models.base import BaseModel, ChoiceField, TimestampedModel
from app.models.customers import Customer, Rep, fold_key
from app.models.enums import UnitStatus


class ProductCategory(BaseModel):
    code = CharField(max_length=30, unique=True)
    name = CharField(max_length=120)
    # How many months its products usually last before a customer buys again (schema 12): the
    # at-risk list expects the next purchase of the category then. NULL: no cycle (consumables),
    # the customer's own purchase rhythm counts (app.services.customers.risk).
    replacement_months = IntegerField(null=True)


class Product(TimestampedModel):
    sku = CharField(max_length=40, unique=True)
    name = CharField(max_length=200)
    category = ForeignKeyField(ProductCategory, backref="products", on_delete="RESTRICT")
    warranty_months = IntegerField(default=24)
    price = DecimalField(max_digits=12, decimal_places=2, default=0)
    # Serialised products get one sold unit per item, each with its serial number.
    serialised = BooleanField(default=True)
    active = BooleanField(default=True)


class Sale(TimestampedModel):
    number = CharField(max_length=30, unique=True)
    # The number a laptop gave it offline (…-L03-0002) until the office numbered it: still searchable.
    provisional_number = CharField(max_length=30, null=True)
    # fold_key(number), kept by save() (schema 5): 'Año-1' and 'AÑO-1' are one number.
    number_key = CharField(max_length=60, null=True, unique=True)
    # No index of its own: (customer, sold_on) leads with it (schema 20).
    customer = ForeignKeyField(Customer, backref="sales", on_delete="RESTRICT", index=False)
    rep = ForeignKeyField(Rep, null=True, backref="sales", on_delete="SET NULL")
    sold_on = DateField()
    # Unknown until the goods arrive; plans and warranties start from it.
    delivered_on = DateField(null=True)
    notes = TextField(default="")

    class Meta:
        indexes = (
            # Customer 360° view and customer value: a customer's sales by date.
            (("customer", "sold_on"), False),
            # First contact after delivery (charter compliance): a period's deliveries, day by day,
            # read from the index alone (migration 10).
            (("delivered_on", "customer", "rep"), False),
        )

    def save(self, *args, **kwargs):
        key = fold_key(self.number)
        if key != self.number_key:  # assigned only when it changes: save() writes dirty columns
            self.number_key = key
        return super().save(*args, **kwargs)


class SaleLine(BaseModel):
    sale = ForeignKeyField(Sale, backref="lines", on_delete="CASCADE")
    product = ForeignKeyField(Product, backref="sale_lines", on_delete="RESTRICT")
    quantity = IntegerField(default=1)
    unit_price = DecimalField(max_digits=12, decimal_places=2)


class SoldUnit(BaseModel):
    """One delivered item: what warranties, checks, returns and follow-ups are about."""

    line = ForeignKeyField(SaleLine, backref="units", on_delete="CASCADE")
    # Denormalised from the line so the 360° view and the returns page need no joins.
    customer = ForeignKeyField(Customer, backref="units", on_delete="RESTRICT")
    product = ForeignKeyField(Product, backref="units", on_delete="RESTRICT")
    serial_number = CharField(max_length=60, null=True, index=True)
    # fold_key(serial_number), kept by save() (schema 5). Unique: a serial number is one unit, of
    # one product, whatever its case; the sale and return dialogs look a serial up by it.
    serial_key = CharField(max_length=120, null=True, unique=True)
    quantity = IntegerField(default=1)
    warranty_extension_months = IntegerField(default=0)
    # delivery + product warranty months + extension; NULL until delivered.
    warranty_ends_on = DateField(null=True)
    status = ChoiceField(UnitStatus, default=UnitStatus.ACTIVE)
    replaces = ForeignKeyField("self", null=True, backref="replacements", on_delete="SET NULL")

    def save(self, *args, **kwargs):
        key = fold_key(self.serial_number or None)
        if key != self.serial_key:  # assigned only when it changes: save() writes dirty columns
            self.serial_key = key
        return super().save(*args, **kwargs)
