"""Correct-use checks: templates and their versions, running a check, its result and what follows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app import i18n
from app.models import (
    CheckTemplate,
    Customer,
    FollowUp,
    Product,
    ProductCategory,
    Sale,
    SaleLine,
    SoldUnit,
    UsageCheck,
)
from app.models.enums import (
    CheckAnswerResult,
    CheckStatus,
    FollowUpKind,
    FollowUpOutcome,
    FollowUpPurpose,
    FollowUpState,
    UnitStatus,
)
from app.services import checks
from app.services.checks import AnswerInput, CheckFilter, ItemInput
from app.services.errors import DomainError, ValidationError
from app.services.followups import ConfirmationRequired
from app.services.reps import create_rep

OK, NOT_OK, NA = CheckAnswerResult.OK, CheckAnswerResult.NOT_OK, CheckAnswerResult.NOT_APPLICABLE
NOW = dt.datetime(2026, 11, 23, 11, 0)  # a Monday


@pytest.fixture
def world(database):
    rep = create_rep("ANA", "Ana García")
    customer = Customer.create(
        code="C-1", name="Peña Hermanos", rep=rep.id, address="Calle Mayor 1", city="Madrid"
    )
    coffee = ProductCategory.create(code="coffee", name="Cafeteras")
    tv = ProductCategory.create(code="tv", name="Televisores")
    barista = Product.create(sku="CAF-1", name="Barista Pro", category=coffee.id)
    crema = Product.create(sku="CAF-2", name="Crema", category=coffee.id)
    oled = Product.create(sku="TV-1", name="OLED 55", category=tv.id)
    sale = Sale.create(
        number="V-1",
        customer=customer.id,
        rep=rep.id,
        sold_on=dt.date(2026, 11, 1),
        delivered_on=dt.date(2026, 11, 5),
    )

    def unit(product, serial):
        line = SaleLine.create(sale=sale.id, product=product.id, unit_price=Decimal("100"))
        return SoldUnit.create(line=line.id, customer=customer.id, product=product.id, serial_number=serial)

    template_id = checks.create_template(
        "Correct use: coffee machines",
        [
            ItemInput("Fills the tank", "Show the tank"),
            ItemInput("Descales", "Show how to descale", critical=True),
            ItemInput("Cleans the frother"),
            ItemInput("Knows the warning lights"),
            ItemInput("Grind set"),
        ],
        category_id=coffee.id,
    )
    return {
        "rep": rep,
        "customer": customer,
        "coffee": coffee,
        "tv": tv,
        "barista": barista,
        "crema": crema,
        "oled": oled,
        "unit": unit(barista, "SN-1"),
        "crema_unit": unit(crema, "SN-2"),
        "tv_unit": unit(oled, "SN-3"),
        "template_id": template_id,
    }


def answer_all(check_id: int, results, trained=(), notes=None) -> None:
    detail = checks.get_check(check_id)
    notes = notes or {}
    answers = [
        AnswerInput(a.item_id, r, notes.get(i, ""), i in trained)
        for i, (a, r) in enumerate(zip(detail.answers, results, strict=True))
    ]
    checks.save_answers(check_id, answers, "Juan Peña and his daughter")


# --- templates ---------------------------------------------------------------------------


def test_a_template_without_items_or_with_a_repeated_question_is_refused(world):
    with pytest.raises(ValidationError) as empty:
        checks.create_template("Empty", [], category_id=world["tv"].id)
    assert "at least one item" in empty.value.errors["items"]
    with pytest.raises(ValidationError) as repeated:
        checks.create_template(
            "Twice",
            [ItemInput("Wall bracket fixed"), ItemInput("  wall  BRACKET fixed ")],
            category_id=world["tv"].id,
        )
    assert repeated.value.errors["items.1.question"] == "Item 2 repeats the question of item 1."
    with pytest.raises(ValidationError) as second:
        checks.create_template("Again", [ItemInput("x")], category_id=world["coffee"].id)
    assert "edit that one" in second.value.errors["category_id"]


def test_a_product_template_overrides_its_category(world):
    assert checks.template_for_unit(world["unit"].id).id == world["template_id"]
    assert checks.template_for_unit(world["tv_unit"].id) is None
    own = checks.create_template(
        "Crema only", [ItemInput("Milk system primed")], product_id=world["crema"].id
    )
    assert checks.template_for_unit(world["crema_unit"].id).id == own
    assert checks.template_for_unit(world["unit"].id).id == world["template_id"]
    assert checks.get_template(own).category_id == world["coffee"].id


def test_editing_makes_a_new_version_and_done_checks_keep_theirs(world):
    check_id = checks.start_check(world["unit"].id, world["rep"].id, now=NOW)
    answer_all(check_id, [OK] * 5)
    checks.finish_check(check_id, world["rep"].id, now=NOW)
    old = checks.get_template(world["template_id"])
    new_id = checks.update_template(
        old.id, "Correct use v2", [i.to_input() for i in old.items] + [ItemInput("Registered")]
    )
    new = checks.get_template(new_id)
    assert (new.family, new.version, new.active, len(new.items)) == (old.family, 2, True, 6)
    assert not checks.get_template(old.id).active
    assert checks.template_for_unit(world["unit"].id).id == new_id
    done = checks.get_check(check_id)
    assert (done.template_id, done.template_version, len(done.answers)) == (old.id, 1, 5)
    assert [t.version for t in checks.template_versions(old.family)] == [1, 2]
    with pytest.raises(ValidationError):
        checks.update_template(new_id, "v3", [ItemInput("a"), ItemInput("A")])


def test_default_templates_in_the_chosen_language_once(world):
    ProductCategory.create(code="kayaks", name="Kayaks")
    assert checks.install_default_templates("en") == 2  # tv (built in) and kayaks (general)
    tv = checks.template_for_unit(world["tv_unit"].id)
    assert tv.name == "Correct use: televisores"
    assert tv.items[-1].question == "The wall bracket is firmly fixed." and tv.items[-1].critical
    assert checks.install_default_templates("es") == 0
    CheckTemplate.delete().where(CheckTemplate.category == world["tv"].id).execute()
    with i18n.using_language("es"):
        assert checks.install_default_templates() == 1
    assert (
        checks.template_for_unit(world["tv_unit"].id).items[0].question
        == "Se ha sintonizado la TDT y ordenado los canales."
    )


# --- running -------------------------------------------------------------------------------


def test_a_draft_is_saved_and_resumed(world):
    check_id = checks.start_check(world["unit"].id, world["rep"].id, now=NOW)
    detail = checks.get_check(check_id)
    assert detail.status is CheckStatus.DRAFT and len(detail.unanswered) == 5
    first = detail.answers[0]
    png = b"\x89PNG\r\n\x1a\n" + b"fake"
    checks.save_answers(
        check_id, [AnswerInput(first.item_id, NOT_OK, "No sabía", True)], "Juan", png, "Coffee"
    )
    assert checks.start_check(world["unit"].id, world["rep"].id) == check_id  # resumed, not duplicated
    again = checks.get_check(check_id)
    assert (again.answers[0].result, again.answers[0].note, again.answers[0].trained_on_site) == (
        NOT_OK,
        "No sabía",
        True,
    )
    assert (again.present_people, again.signature_png, again.notes, len(again.unanswered)) == (
        "Juan",
        png,
        "Coffee",
        4,
    )
    with pytest.raises(ValidationError):
        checks.save_answers(check_id, [], "x", b"GIF89a")


def test_finishing_with_unanswered_items_lists_them(world):
    check_id = checks.start_check(world["unit"].id, world["rep"].id, now=NOW)
    answer_all(check_id, [OK, OK, None, OK, None])
    with pytest.raises(checks.UnansweredItemsError) as refused:
        checks.finish_check(check_id, world["rep"].id, now=NOW)
    assert refused.value.missing == ("3. Cleans the frother", "5. Grind set")
    assert "Still unanswered" in str(refused.value) and "• 5. Grind set" in str(refused.value)
    assert checks.get_check(check_id).status is CheckStatus.DRAFT


@pytest.mark.parametrize(
    ("results", "score", "passed"),
    [
        ([OK, OK, OK, OK, OK], 1.0, True),
        ([OK, OK, OK, OK, NOT_OK], 0.8, True),  # 4 of 5: the pass mark
        ([OK, OK, OK, NOT_OK, NOT_OK], 0.6, False),
        ([OK, NOT_OK, OK, OK, OK], 0.8, False),  # the critical item failed
        ([OK, OK, NA, NA, NOT_OK], 0.6667, False),  # N/A is not counted
        ([NA, NA, NA, NA, NA], None, True),
    ],
)
def test_score_is_ok_over_applicable_and_a_critical_failure_fails(world, results, score, passed):
    check_id = checks.start_check(world["unit"].id, world["rep"].id, now=NOW)
    answer_all(check_id, results)
    result = checks.finish_check(check_id, world["rep"].id, now=NOW + dt.timedelta(minutes=40))
    assert (result.score, result.passed) == (score, passed)
    assert result.offer_case is (results[1] is NOT_OK)
    assert result.minutes == 40 and result.completed_at == NOW + dt.timedelta(minutes=40)
    stored = UsageCheck.get_by_id(check_id)
    assert (stored.status, stored.score, stored.passed) == (CheckStatus.COMPLETED, score, passed)
    with pytest.raises(DomainError):
        checks.finish_check(check_id, world["rep"].id)
    with pytest.raises(DomainError):
        checks.save_answers(check_id, [], "")


def test_a_check_from_a_follow_up_completes_it_and_a_failure_proposes_training(world):
    visit = FollowUp.create(
        customer=world["customer"].id,
        rep=world["rep"].id,
        kind=FollowUpKind.VISIT,
        purpose=FollowUpPurpose.USAGE_CHECK,
        scheduled_at=NOW,
        sold_unit=world["unit"].id,
    )
    assert [r.id for r in checks.checks_due()] == [visit.id] and checks.count_checks_due() == 1
    check_id = checks.start_check(world["unit"].id, world["rep"].id, follow_up_id=visit.id, now=NOW)
    answer_all(check_id, [OK, OK, NOT_OK, NOT_OK, OK])
    result = checks.finish_check(check_id, world["rep"].id, now=NOW + dt.timedelta(hours=1))
    assert result.follow_up_completed and not result.passed and not result.offer_case
    done = FollowUp.get_by_id(visit.id)
    assert (done.state, done.outcome) == (FollowUpState.DONE, FollowUpOutcome.REACHED)
    assert "failed (60 % OK)" in done.notes
    assert checks.count_checks_due() == 0
    # Seven days later (the default), on a working day, as a visit like the one it came from.
    assert result.training_at == dt.datetime(2026, 11, 30, 11, 0)
    training = checks.schedule_training(check_id, world["rep"].id, now=NOW)
    follow_up = FollowUp.get_by_id(training.follow_up_id)
    assert (follow_up.purpose, follow_up.kind, follow_up.scheduled_at, follow_up.sold_unit_id) == (
        FollowUpPurpose.TRAINING,
        FollowUpKind.VISIT,
        dt.datetime(2026, 11, 30, 11, 0),
        world["unit"].id,
    )
    assert "• Cleans the frother" in follow_up.notes
    with pytest.raises(DomainError, match="already planned"):
        checks.schedule_training(check_id, world["rep"].id, now=NOW)


def test_training_days_is_a_setting(world):
    assert checks.training_days() == 7
    checks.set_training_days(3)
    assert checks.training_days() == 3
    with pytest.raises(ValidationError):
        checks.set_training_days(0)


def test_a_passed_check_proposes_nothing(world):
    check_id = checks.start_check(world["unit"].id, world["rep"].id, now=NOW)
    answer_all(check_id, [OK] * 5)
    result = checks.finish_check(check_id, world["rep"].id, now=NOW)
    assert result.passed and result.training_at is None and not result.offer_case
    with pytest.raises(DomainError):
        checks.schedule_training(check_id)


def test_a_returned_unit_warns_and_a_unit_without_checklist_is_refused(world):
    SoldUnit.update(status=UnitStatus.RETURNED).where(SoldUnit.id == world["unit"].id).execute()
    with pytest.raises(ConfirmationRequired, match="Barista Pro \\(SN-1\\) is marked as returned"):
        checks.start_check(world["unit"].id, world["rep"].id)
    assert checks.start_check(world["unit"].id, world["rep"].id, confirm_unit_status=True)
    with pytest.raises(DomainError, match="no checklist for OLED 55"):
        checks.start_check(world["tv_unit"].id, world["rep"].id)


def test_a_critical_failure_opens_a_case_when_cases_exist(world, monkeypatch):
    check_id = checks.start_check(world["unit"].id, world["rep"].id, now=NOW)
    answer_all(check_id, [OK, NOT_OK, OK, OK, OK], notes={1: "Never descaled"})
    result = checks.finish_check(check_id, world["rep"].id, now=NOW)
    assert result.offer_case and result.critical_failures == ("Descales",)
    try:
        from app.services import cases
    except ImportError:
        with pytest.raises(DomainError, match="Cases cannot be opened"):
            checks.open_case_for_check(check_id, world["rep"].id)
        return
    received = {}

    def receive_case(kind, customer_id, channel, received_on, words, rep_id, **kwargs):
        received.update(kind=kind, customer_id=customer_id, words=words, **kwargs)
        return 99

    monkeypatch.setattr(cases, "receive_case", receive_case)
    assert checks.open_case_for_check(check_id, world["rep"].id) == 99
    assert received["customer_id"] == world["customer"].id and received["sold_unit_id"] == world["unit"].id
    assert "• Descales — Never descaled" in received["words"]


# --- queries -------------------------------------------------------------------------------


def test_lists_filter_and_count_in_sql_and_histories(world):
    luis = create_rep("LUIS", "Luis")
    done = []
    for day, results, rep in (
        (1, [OK] * 5, world["rep"]),
        (2, [OK, NOT_OK, OK, OK, OK], luis),
        (20, [OK] * 5, luis),
    ):
        check_id = checks.start_check(world["unit"].id, rep.id, now=NOW - dt.timedelta(days=day))
        answer_all(check_id, results)
        checks.finish_check(check_id, rep.id, now=NOW - dt.timedelta(days=day))
        done.append(check_id)
    draft = checks.start_check(world["crema_unit"].id, world["rep"].id, now=NOW)
    assert [r.id for r in checks.list_checks()] == [draft, *done]
    assert checks.count_checks() == 4
    assert [r.id for r in checks.list_checks(CheckFilter(result="failed"))] == [done[1]]
    assert checks.count_checks(CheckFilter(result="passed")) == 2
    assert [r.id for r in checks.list_checks(CheckFilter(result="draft"))] == [draft]
    assert checks.count_checks(CheckFilter(rep_id=luis.id)) == 2
    assert checks.count_checks(CheckFilter(product_id=world["crema"].id)) == 1
    assert checks.count_checks(CheckFilter(category_id=world["coffee"].id)) == 4
    assert checks.count_checks(CheckFilter(category_id=world["tv"].id)) == 0
    period = CheckFilter(start=(NOW - dt.timedelta(days=5)).date(), end=NOW.date())
    assert [r.id for r in checks.list_checks(period, offset=1, limit=2)] == done[:2]
    assert [r.id for r in checks.unit_history(world["unit"].id)] == done
    assert len(checks.customer_history(world["customer"].id)) == 4
    row = checks.list_checks(CheckFilter(result="failed"))[0]
    assert (row.customer_name, row.product_name, row.serial_number, row.rep_name) == (
        "Peña Hermanos",
        "Barista Pro",
        "SN-1",
        "Luis",
    )


def test_most_failed_items_per_template_and_period(world):
    for day, results in (
        (1, [OK, NOT_OK, NOT_OK, OK, OK]),
        (2, [OK, OK, NOT_OK, NA, OK]),
        (40, [NOT_OK, OK, OK, OK, OK]),
    ):
        check_id = checks.start_check(world["unit"].id, world["rep"].id, now=NOW - dt.timedelta(days=day))
        answer_all(check_id, results, trained={2})
        checks.finish_check(check_id, world["rep"].id, now=NOW - dt.timedelta(days=day))
    rows = checks.most_failed_items(NOW.date() - dt.timedelta(days=30), NOW.date())
    assert [(r.question, r.not_ok, r.applicable, r.trained) for r in rows] == [
        ("Cleans the frother", 2, 2, 2),
        ("Descales", 1, 2, 0),
    ]
    assert rows[1].critical and rows[0].failure_rate == 1.0
    family = checks.get_template(world["template_id"]).family
    assert [f.family for f in checks.template_families()] == [family]
    assert len(checks.most_failed_items(family=family)) == 3
    assert checks.most_failed_items(family="other") == []


def test_a_critical_failure_opens_a_real_case(world):
    cases = pytest.importorskip("app.services.cases")
    from app.models import Case

    visit = FollowUp.create(
        customer=world["customer"].id,
        rep=world["rep"].id,
        kind=FollowUpKind.VISIT,
        purpose=FollowUpPurpose.USAGE_CHECK,
        scheduled_at=NOW,
        sold_unit=world["unit"].id,
    )
    check_id = checks.start_check(world["unit"].id, world["rep"].id, follow_up_id=visit.id, now=NOW)
    answer_all(check_id, [OK, NOT_OK, OK, OK, OK])
    checks.finish_check(check_id, world["rep"].id, now=NOW)
    case_id = checks.open_case_for_check(check_id, world["rep"].id, today=NOW.date())
    case = Case.get_by_id(case_id)
    assert case.customer_id == world["customer"].id and "Descales" in case.customer_words
    assert cases is not None
