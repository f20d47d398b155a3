"""Two writers on one database (an SQLite file, or PostgreSQL): real processes started together at a barrier.

Each race runs the same command on the same record in two processes at once: exactly one wins, the
other gets the domain's refusal, and the record's state agrees with its history. A longer run of
two processes recording sales and cases checks that no "database is locked" reaches a caller and
that the numbers stay gapless.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import queue
import time
from decimal import Decimal

import pytest

from app.models import (
    Case,
    CaseProposal,
    CaseStageChange,
    Customer,
    FollowUp,
    Product,
    ProductCategory,
    ReturnStatusChange,
    Sale,
    SaleLine,
    SatisfactionSurvey,
    SoldUnit,
    WarrantyReturn,
)
from app.models.enums import (
    CaseCategory,
    CaseKind,
    ContactChannel,
    FollowUpKind,
    FollowUpOutcome,
    FollowUpPurpose,
    FollowUpState,
    ProposalAnswer,
    ReturnReason,
    ReturnState,
    Severity,
    SolutionType,
)
from app.services import cases, followups, returns
from app.services.customers import CustomerInput, create_customer, get_customer, update_customer
from app.services.errors import ConcurrentEditError, DomainError
from app.services.reps import create_rep
from app.services.sales import SaleLineInput, record_sale

RS = ReturnState
ROUNDS = 6  # races per test: each is one record both processes act on at the same moment
WRITERS_SECONDS = 30.0  # how long two processes record sales and cases side by side (the 30 s)
PROCESS_TIMEOUT = 120


# --- what runs in the child processes ---------------------------------------------------------
# Module-level functions, so the spawned processes can import them.


def _advance_return(return_id: int, state: str, note: str):
    returns.advance_return(return_id, RS(state), None, note, refund_amount="10")


def _complete(follow_up_id: int, score: int, note: str):
    return followups.complete_follow_up(
        follow_up_id, FollowUpOutcome.REACHED, note, None, satisfaction=score
    ).survey_id


def _answer(case_id: int, answer: str):
    return cases.record_answer(case_id, ProposalAnswer(answer), None).value


def _close_case(case_id: int, _ignored: str):
    return cases.close_case(case_id, None).satisfaction_follow_up_id


def _rename_customer(customer_id: int, name: str, version: int):
    detail = get_customer(customer_id)
    update_customer(customer_id, _renamed(detail, name), None, expected_version=version)


def _renamed(detail, name: str) -> CustomerInput:
    data = detail.to_input()
    data.name = name
    return data


ACTIONS = {
    "advance_return": _advance_return,
    "complete": _complete,
    "answer": _answer,
    "close_case": _close_case,
    "rename_customer": _rename_customer,
}


def _racer(path: str, barrier, results, action: str, items: list[tuple]) -> None:
    """Open the database, then for each item wait for the other process and act on it."""
    from app.models.database import close_database, open_database

    open_database(path)
    try:
        for item in items:
            barrier.wait(timeout=PROCESS_TIMEOUT)
            try:
                value = ACTIONS[action](*item)
            except ConcurrentEditError as exc:
                current = getattr(exc.current, "name", None)
                results.put((item[0], item[1], "conflict", (exc.current_version, current)))
            except DomainError as exc:
                results.put((item[0], item[1], "refused", type(exc).__name__))
            except Exception as exc:  # noqa: BLE001 (reported to the test, which fails on it)
                results.put((item[0], item[1], "error", repr(exc)))
            else:
                results.put((item[0], item[1], "ok", value))
    finally:
        close_database()


def _writer(
    path: str, barrier, results, seconds: float, customer_id: int, rep_id: int, product_id: int
) -> None:
    """Record a sale, then receive a case, again and again for `seconds`; report counts and failures."""
    from app.models.database import close_database, open_database

    open_database(path)
    sales = cases_received = 0
    failures: list[str] = []
    try:
        barrier.wait(timeout=PROCESS_TIMEOUT)
        today = dt.date.today()
        line = SaleLineInput(product_id, 1, Decimal("9.90"), [])
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                record_sale(customer_id, rep_id, today, None, [line])
                sales += 1
            except Exception as exc:  # noqa: BLE001 (any failure is what the test looks for)
                failures.append(repr(exc))
            try:
                cases.receive_case(
                    CaseKind.COMPLAINT, customer_id, ContactChannel.EMAIL, today, "No funciona", rep_id
                )
                cases_received += 1
            except Exception as exc:  # noqa: BLE001
                failures.append(repr(exc))
    finally:
        close_database()
        results.put((sales, cases_received, failures))


def _run(target, argument_lists: list[tuple], expected_results: int) -> list:
    """Start one process per argument tuple (each given the barrier and the result queue first)."""
    context = multiprocessing.get_context("spawn")  # no fork of a process that may run Qt threads
    barrier = context.Barrier(len(argument_lists))
    results = context.Queue()
    processes = [
        context.Process(target=target, args=(args[0], barrier, results, *args[1:])) for args in argument_lists
    ]
    for process in processes:
        process.start()
    collected = []
    try:
        for _ in range(expected_results):
            collected.append(results.get(timeout=PROCESS_TIMEOUT))
    except queue.Empty:
        pytest.fail(f"the processes reported {len(collected)} of {expected_results} results")
    finally:
        for process in processes:
            process.join(timeout=PROCESS_TIMEOUT)
            if process.is_alive():
                process.kill()
    assert all(p.exitcode == 0 for p in processes)
    return collected


def race(path, first: tuple[str, list[tuple]], second: tuple[str, list[tuple]]) -> dict[int, list[tuple]]:
    """Both processes act on each item's record at once; the outcomes grouped by record id."""
    results = _run(_racer, [(str(path), *first), (str(path), *second)], len(first[1]) + len(second[1]))
    by_record: dict[int, list[tuple]] = {}
    for record_id, argument, outcome, value in results:
        by_record.setdefault(record_id, []).append((argument, outcome, value))
    return by_record


def one_winner(outcomes: list[tuple], refusal: str = "DomainError") -> tuple:
    """Exactly one process succeeded and the other was refused with the domain's error; the winner."""
    assert sorted(outcome for _arg, outcome, _value in outcomes) in (["ok", "refused"], ["conflict", "ok"]), (
        outcomes
    )
    for _arg, outcome, value in outcomes:
        if outcome == "refused":
            assert value == refusal, outcomes
    return next(o for o in outcomes if o[1] == "ok")


# --- the shop both processes work in --------------------------------------------------------------


@pytest.fixture
def shop(database):
    ana = create_rep("ANA", "Ana García")
    customer = Customer.create(code="C-1", name="Peña Hermanos", rep=ana.id, address="Calle Mayor 1")
    category = ProductCategory.create(code="WASH", name="Lavadoras")
    washer = Product.create(sku="LV-1", name="Lavadora X", category=category, warranty_months=24)
    cable = Product.create(sku="CB-1", name="Cable", category=category, warranty_months=12, serialised=False)
    return {"path": database.target, "ana": ana, "customer": customer, "washer": washer, "cable": cable}


def delivered_unit(shop, serial: str, customer_id: int | None = None) -> int:
    delivered = dt.date.today() - dt.timedelta(days=30)
    line = SaleLineInput(shop["washer"].id, 1, Decimal("499.00"), [serial])
    sale_id = record_sale(customer_id or shop["customer"].id, shop["ana"].id, delivered, delivered, [line])
    return SoldUnit.select(SoldUnit.id).join(SaleLine).where(SaleLine.sale == sale_id).scalar()


def new_return(shop, serial: str, customer_id: int | None = None) -> int:
    unit = delivered_unit(shop, serial, customer_id)
    return returns.open_return(unit, ReturnReason.FAILURE_IN_USE, "No centrifuga", dt.date.today(), None)


def assert_return_agrees_with_history(return_id: int) -> None:
    record = WarrantyReturn.get_by_id(return_id)
    history = list(
        ReturnStatusChange.select()
        .where(ReturnStatusChange.warranty_return == return_id)
        .order_by(ReturnStatusChange.id)
    )
    assert history[-1].to_state is record.state
    for before, after in zip(history, history[1:], strict=False):
        assert after.from_state is before.to_state  # one chain, no fork in the history


# --- races ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_receiving_one_return_twice_at_once_lets_exactly_one_through(shop):
    ids = [new_return(shop, f"SN-{n}") for n in range(ROUNDS)]
    outcomes = race(
        shop["path"],
        ("advance_return", [(i, RS.RECEIVED.value, "") for i in ids]),
        ("advance_return", [(i, RS.RECEIVED.value, "") for i in ids]),
    )
    for return_id in ids:
        one_winner(outcomes[return_id])
        assert WarrantyReturn.get_by_id(return_id).state is RS.RECEIVED
        assert ReturnStatusChange.select().where(ReturnStatusChange.warranty_return == return_id).count() == 2
        assert_return_agrees_with_history(return_id)


@pytest.mark.slow
def test_receiving_and_cancelling_one_return_at_once_leaves_one_chain_of_history(shop):
    """Received then cancelled is a legal path, cancelled then received is not: never both from 'requested'."""
    ids = [new_return(shop, f"SN-{n}") for n in range(ROUNDS)]
    outcomes = race(
        shop["path"],
        ("advance_return", [(i, RS.RECEIVED.value, "") for i in ids]),
        ("advance_return", [(i, RS.CANCELLED.value, "El cliente desiste") for i in ids]),
    )
    for return_id in ids:
        results = dict((state, outcome) for state, outcome, _value in outcomes[return_id])
        assert "error" not in results.values(), outcomes[return_id]
        record = WarrantyReturn.get_by_id(return_id)
        if results[RS.RECEIVED.value] == "ok" and results[RS.CANCELLED.value] == "ok":
            expected = [None, RS.REQUESTED, RS.RECEIVED]  # received first, then cancelled from there
        else:
            assert results == {RS.RECEIVED.value: "refused", RS.CANCELLED.value: "ok"}
            expected = [None, RS.REQUESTED]
        history = ReturnStatusChange.select().where(ReturnStatusChange.warranty_return == return_id)
        assert [h.from_state for h in history.order_by(ReturnStatusChange.id)] == expected
        assert record.state is RS.CANCELLED
        assert_return_agrees_with_history(return_id)


@pytest.mark.slow
def test_closing_one_return_twice_at_once_closes_it_once_with_one_satisfaction_call(shop):
    ids = []
    for n in range(ROUNDS):
        # One customer each: a customer's satisfaction calls of one day are one call.
        customer = Customer.create(code=f"R-{n}", name=f"Cliente {n}", rep=shop["ana"].id)
        return_id = new_return(shop, f"SN-{n}", customer.id)
        returns.advance_return(return_id, RS.RECEIVED, None)
        returns.advance_return(return_id, RS.INSPECTED, None, inspection_note="Motor quemado")
        returns.advance_return(return_id, RS.APPROVED, None)
        returns.advance_return(return_id, RS.REFUNDED, None, refund_amount="499")
        ids.append(return_id)
    outcomes = race(
        shop["path"],
        ("advance_return", [(i, RS.CLOSED.value, "") for i in ids]),
        ("advance_return", [(i, RS.CLOSED.value, "") for i in ids]),
    )
    for return_id in ids:
        one_winner(outcomes[return_id])
        assert WarrantyReturn.get_by_id(return_id).state is RS.CLOSED
        closings = ReturnStatusChange.select().where(
            (ReturnStatusChange.warranty_return == return_id) & (ReturnStatusChange.to_state == RS.CLOSED)
        )
        assert closings.count() == 1
        customer_id = WarrantyReturn.get_by_id(return_id).customer_id
        calls = FollowUp.select().where(
            (FollowUp.customer == customer_id) & (FollowUp.purpose == FollowUpPurpose.SATISFACTION)
        )
        assert [c.warranty_return_id for c in calls] == [return_id]
        assert_return_agrees_with_history(return_id)


@pytest.mark.slow
def test_completing_one_follow_up_twice_at_once_keeps_one_survey_and_its_notes(shop):
    when = dt.datetime.now().replace(second=0, microsecond=0) + dt.timedelta(days=1)
    ids = [
        followups.schedule_follow_up(
            shop["customer"].id, FollowUpKind.CALL, FollowUpPurpose.SATISFACTION, when + dt.timedelta(days=n)
        ).follow_up_id
        for n in range(ROUNDS)
    ]
    outcomes = race(
        shop["path"],
        ("complete", [(i, 5, "Muy contento") for i in ids]),
        ("complete", [(i, 1, "Nada contento") for i in ids]),
    )
    for follow_up_id in ids:
        score, _outcome, survey_id = one_winner(outcomes[follow_up_id])
        follow_up = FollowUp.get_by_id(follow_up_id)
        assert follow_up.state is FollowUpState.DONE
        surveys = list(SatisfactionSurvey.select().where(SatisfactionSurvey.follow_up == follow_up_id))
        assert [s.id for s in surveys] == [survey_id]
        assert surveys[0].satisfaction == score
        assert follow_up.notes == ("Muy contento" if score == 5 else "Nada contento")


@pytest.mark.slow
def test_accepting_and_rejecting_one_proposal_at_once_records_one_answer(shop):
    ids = []
    for _n in range(ROUNDS):
        case_id = cases.receive_case(
            CaseKind.COMPLAINT, shop["customer"].id, ContactChannel.EMAIL, dt.date.today(), "Llegó rota", None
        )
        cases.analyse_case(case_id, CaseCategory.PRODUCT_DEFECT, Severity.MEDIUM, None)
        cases.propose_solution(case_id, SolutionType.EXCHANGE, "Cambio de unidad", ContactChannel.EMAIL, None)
        ids.append(case_id)
    outcomes = race(
        shop["path"],
        ("answer", [(i, ProposalAnswer.ACCEPTED.value) for i in ids]),
        ("answer", [(i, ProposalAnswer.REJECTED.value) for i in ids]),
    )
    for case_id in ids:
        answer, _outcome, _stage = one_winner(outcomes[case_id])
        proposals = list(CaseProposal.select().where(CaseProposal.case == case_id))
        assert [p.answer for p in proposals] == [ProposalAnswer(answer)]
        case = Case.get_by_id(case_id)
        history = list(
            CaseStageChange.select().where(CaseStageChange.case == case_id).order_by(CaseStageChange.id)
        )
        assert history[-1].to_stage is case.stage
        assert len(history) == (4 if answer == ProposalAnswer.REJECTED.value else 3)


@pytest.mark.slow
def test_closing_one_case_twice_at_once_schedules_one_satisfaction_call(shop):
    ids = []
    for n in range(ROUNDS):
        # One customer each: a customer's satisfaction calls of one day are one call.
        customer = Customer.create(code=f"K-{n}", name=f"Cliente {n}", rep=shop["ana"].id)
        case_id = cases.receive_case(
            CaseKind.COMPLAINT, customer.id, ContactChannel.EMAIL, dt.date.today(), "Llegó rota", None
        )
        cases.analyse_case(case_id, CaseCategory.PRODUCT_DEFECT, Severity.MEDIUM, None)
        cases.propose_solution(case_id, SolutionType.EXCHANGE, "Cambio de unidad", ContactChannel.EMAIL, None)
        cases.record_answer(case_id, ProposalAnswer.ACCEPTED, None)
        ids.append(case_id)
    outcomes = race(
        shop["path"],
        ("close_case", [(i, "first") for i in ids]),
        ("close_case", [(i, "second") for i in ids]),
    )
    for case_id in ids:
        one_winner(outcomes[case_id])
        customer_id = Case.get_by_id(case_id).customer_id
        calls = FollowUp.select().where(
            (FollowUp.customer == customer_id) & (FollowUp.purpose == FollowUpPurpose.SATISFACTION)
        )
        assert [c.case_id for c in calls] == [case_id]
        history = list(
            CaseStageChange.select().where(CaseStageChange.case == case_id).order_by(CaseStageChange.id)
        )
        assert history[-1].to_stage is Case.get_by_id(case_id).stage
        assert len({h.to_stage for h in history}) == len(history)  # no stage entered twice


@pytest.mark.slow
def test_two_processes_editing_one_customer_the_second_is_told_and_nothing_is_lost(shop):
    ids = [
        create_customer(CustomerInput(code=f"E-{n}", name="Nombre de partida"), None) for n in range(ROUNDS)
    ]
    versions = {i: get_customer(i).row_version for i in ids}
    outcomes = race(
        shop["path"],
        ("rename_customer", [(i, "Nombre de Ana", versions[i]) for i in ids]),
        ("rename_customer", [(i, "Nombre de Luis", versions[i]) for i in ids]),
    )
    for customer_id in ids:
        winner_name, _ok, _none = one_winner(outcomes[customer_id])
        loser = next(o for o in outcomes[customer_id] if o[1] == "conflict")
        current_version, current_name = loser[2]
        detail = get_customer(customer_id)
        assert detail.name == winner_name == current_name  # the loser is shown the winner's values
        assert detail.row_version == current_version == versions[customer_id] + 1
        # Overwriting on purpose: the loser saves again from the version it was shown.
        update_customer(customer_id, _renamed(detail, loser[0]), None, expected_version=current_version)
        assert get_customer(customer_id).name == loser[0]


@pytest.mark.slow
def test_two_processes_recording_sales_and_cases_never_see_a_locked_database(shop):
    args = (str(shop["path"]), WRITERS_SECONDS, shop["customer"].id, shop["ana"].id, shop["cable"].id)
    results = _run(_writer, [args, args], 2)
    failures = [f for _sales, _cases, fs in results for f in fs]
    assert failures == []
    sales = sum(r[0] for r in results)
    received = sum(r[1] for r in results)
    assert all(r[0] > 0 and r[1] > 0 for r in results)  # both processes got work done
    year = dt.date.today().year
    numbers = [n for (n,) in Sale.select(Sale.number).where(Sale.sold_on.year == year).tuples()]
    assert sorted(numbers) == [f"V-{year}-{n:05d}" for n in range(1, sales + 1)]
    sequences = sorted(s for (s,) in Case.select(Case.sequence).where(Case.year == year).tuples())
    assert sequences == list(range(1, received + 1))
