"""Names in the order people expect (issue 22): accents decide only between otherwise equal names,
ñ is a letter after n, and the customer list, whose order is SQL's, agrees with Python's."""

from __future__ import annotations

import pytest

from app.models import Customer
from app.models.collation import MAX_KEY_LENGTH, sort_key, sorted_by_name
from app.services import customers as customer_service
from app.services.customers import CustomerInput

SPANISH_ORDER = [
    "Alvaro",
    "Álvaro",
    "Ana",
    "Ana Belén",
    "Anabel",
    "Ángel",
    "Élodie",
    "Nunez",
    "Núñez",
    "Nz",
    "Ñandú",
    "Oscar",
    "Pena",
    "Pensar",
    "Peña",
    "Sergio",
    "Zoe",
]


def test_accented_names_sort_with_their_letters_and_n_tilde_after_n():
    shuffled = SPANISH_ORDER[::2] + SPANISH_ORDER[1::2]
    assert sorted_by_name(shuffled, str) == SPANISH_ORDER
    assert sorted(SPANISH_ORDER, key=str) != SPANISH_ORDER  # the code points' order is another


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Álvaro", "Sergio"),
        ("alvaro", "Álvaro"),
        ("Ana", "Anabel"),
        ("Nuñez", "Ñu"),
        ("Peña y Hijos", "Peñas"),  # word by word: a space before any letter
    ],
)
def test_keys_compare_as_their_names_and_are_plain_text(first, second):
    assert sort_key(first) < sort_key(second)
    assert set(sort_key(first)) <= set("0123456789abcdef")
    assert sort_key("a decomposed n\u0303") == sort_key("a decomposed ñ")


def test_a_long_name_keeps_a_bounded_key():
    assert len(sort_key("Peña " * 200)) == MAX_KEY_LENGTH
    assert sort_key("") == sort_key(None) == ""


def test_the_customer_list_sorts_by_collation_in_sql(database):
    for number, name in enumerate(reversed(SPANISH_ORDER), start=1):
        customer_service.create_customer(CustomerInput(code=f"C-{number}", name=name), None)
    listed = [row.name for row in customer_service.search_customers(limit=100)]
    assert listed == SPANISH_ORDER
    backwards = customer_service.search_customers(order_by="name", descending=True, limit=100)
    assert [row.name for row in backwards] == SPANISH_ORDER[::-1]
    # an edit of the name keeps its key, and so does an import's bulk insert
    first = Customer.get(Customer.name == "Zoe")
    data = customer_service.get_customer(first.id).to_input()
    data.name = "Aaron"
    customer_service.update_customer(first.id, data, None)
    customer_service.create_validated_customers([CustomerInput(code="C-99", name="Ábaco")], None)
    assert [row.name for row in customer_service.search_customers(limit=2)] == ["Aaron", "Ábaco"]


def test_reps_and_products_in_combos_follow_the_same_order(database):
    from app.models import Product, ProductCategory
    from app.services.reps import create_rep, list_reps
    from app.services.sales.recording import list_products

    for number, name in enumerate(["Sergio Ruiz", "Álvaro Núñez", "Ñuria Peña", "Nuria Ortega"]):
        create_rep(f"R{number}", name)
    assert [rep.name for rep in list_reps()] == ["Álvaro Núñez", "Nuria Ortega", "Ñuria Peña", "Sergio Ruiz"]
    category = ProductCategory.create(code="HOG", name="Hogar")
    for number, name in enumerate(["Secadora", "Émbolo", "Encimera", "Ñ-Horno"]):
        Product.create(sku=f"P{number}", name=name, price=1, category=category)
    assert [p.name for p in list_products()] == ["Émbolo", "Encimera", "Ñ-Horno", "Secadora"]
