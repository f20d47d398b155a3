"""Demo data: reproducible, complete (every state appears) and consistent with the domain rules."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from peewee import fn

from app.demo import DemoSummary, generate_demo
from app.demo import generate as demo_module
from app.models import (
    ALL_MODELS,
    Case,
    CaseProposal,
    CaseStageChange,
    CharterCommitment,
    Customer,
    FollowUp,
    Product,
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
from app.models.customers import customer_search_text
from app.models.database import close_database, open_database
from app.models.enums import (
    CaseKind,
    CaseStage,
    CharterType,
    CheckStatus,
    FollowUpKind,
    FollowUpState,
    ProposalAnswer,
    RepRole,
    ReturnState,
    UnitStatus,
)
from app.services import cases as case_service
from app.services import followups as followup_service
from app.services import returns as return_service
from app.services.customers import spanish_tax_id_is_valid
from app.services.errors import DomainError
from app.services.health import check_database
from app.services.reps import create_rep
from app.services.sales.warranty import warranty_end_date

TODAY = dt.date(2026, 5, 20)  # a Wednesday
CUSTOMERS = 30


@pytest.fixture
def demo(database) -> DemoSummary:
    return generate_demo(customers=CUSTOMERS, seed=7, today=TODAY)


def _dump() -> dict[str, list[tuple]]:
    """Every row of every table, in id order; not the uids, which name rows uniquely on every machine
    (two demo databases made alike are still two sets of rows)."""
    return {
        model._meta.table_name: [
            tuple(row)
            for row in model.select(*(f for f in model._meta.sorted_fields if f.name != "uid"))
            .order_by(*model._meta.get_primary_keys())
            .tuples()
        ]
        for model in ALL_MODELS
        if model._meta.table_name not in ("schema_version",)  # applied_at is the wall clock
    }


def test_the_same_seed_and_day_give_identical_data(new_database):
    dumps = []
    for name in ("a", "b"):
        open_database(new_database(name))
        generate_demo(customers=CUSTOMERS, seed=3, today=TODAY)
        dumps.append(_dump())
        close_database()
    assert dumps[0] == dumps[1]
    open_database(new_database("c"))
    generate_demo(customers=CUSTOMERS, seed=4, today=TODAY)
    assert _dump()["customer"] != dumps[0]["customer"]
    close_database()


@pytest.mark.sqlite_only("the demo makes SQLite's indexes and search index once at the end")
def test_the_demo_leaves_every_index_and_trigger_of_a_new_database(database):
    def schema() -> list[tuple]:
        # The planner's statistics (sqlite_stat1, made by the demo) are not part of the schema.
        return db.execute_sql(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_stat%' ORDER BY name"
        ).fetchall()

    before = schema()
    generate_demo(customers=CUSTOMERS, seed=3, today=TODAY)
    assert schema() == before
    # The search index finds every customer by their text, as its triggers would have indexed them.
    customers = db.execute_sql("SELECT id, search_text FROM customer").fetchall()
    assert len(customers) == CUSTOMERS
    for customer_id, text in customers:
        phrase = '"' + text[:12].replace('"', '""') + '"'
        found = db.execute_sql("SELECT rowid FROM customer_search WHERE customer_search MATCH ?", (phrase,))
        assert customer_id in {row[0] for row in found}


def test_summary_counts_the_rows_written(demo):
    counts = demo.counts()
    assert counts["customer"] == CUSTOMERS
    for model in ALL_MODELS:
        name = model._meta.table_name
        if name in counts:
            assert counts[name] == model.select().count(), name
    assert demo.total == sum(counts.values())


def test_refuses_a_database_that_already_holds_customers(database):
    generate_demo(customers=3, seed=1, today=TODAY)
    with pytest.raises(DomainError, match="already holds customers"):
        generate_demo(customers=3, seed=1, today=TODAY)
    assert Customer.select().count() == 3


def test_existing_reps_are_kept_and_codes_do_not_clash(database):
    create_rep("LMARTIN", "Lucía Martín (real)")
    generate_demo(customers=5, seed=1, today=TODAY)
    codes = [r.code for r in Rep.select().order_by(Rep.id)]
    assert codes[0] == "LMARTIN" and "LMARTIN-2" in codes
    assert len(codes) == len(set(codes)) == 9


def test_a_cancel_from_progress_leaves_the_database_empty(database):
    def progress(done, total):
        if done:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        generate_demo(customers=5, seed=1, today=TODAY, progress=progress)
    assert Customer.select().count() == 0 and Rep.select().count() == 0


def test_progress_runs_from_zero_to_the_total(database, monkeypatch):
    monkeypatch.setattr(demo_module, "CHUNK_CUSTOMERS", 10)
    seen = []
    generate_demo(customers=25, seed=1, today=TODAY, progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 25) and seen[-1] == (25, 25)
    assert [done for done, _total in seen] == sorted(done for done, _total in seen)
    assert len(seen) >= 3


def test_reps_include_managers_and_sales_reps(demo):
    roles = [r.role for r in Rep.select()]
    assert len(roles) == 8
    assert 1 <= roles.count(RepRole.MANAGER) <= 2


def test_customers_have_valid_unique_tax_ids_and_filled_search_text(demo):
    customers = list(Customer.select())
    tax_ids = [c.tax_id for c in customers if c.tax_id]
    assert len(tax_ids) == len(set(tax_ids))
    assert all(spanish_tax_id_is_valid(t) for t in tax_ids)
    for c in customers:
        assert c.search_text == customer_search_text(
            c.code, c.name, c.tax_id, c.email, c.phone, c.mobile, c.city
        )
        assert (c.phone or c.mobile).startswith("+34 ")
    assert any(ch in "".join(c.name for c in customers) for ch in "áéíóúñÁÉÍÓÚÑ")


def test_every_return_state_appears_with_a_consistent_history(demo):
    returns = list(WarrantyReturn.select())
    assert {r.state for r in returns} == set(ReturnState)
    history = defaultdict(list)
    for change in ReturnStatusChange.select().order_by(ReturnStatusChange.id):
        history[change.warranty_return_id].append(change)
    for r in returns:
        changes = history[r.id]
        assert changes[0].from_state is None and changes[0].to_state is ReturnState.REQUESTED
        assert changes[-1].to_state is r.state
        for before, after in zip(changes, changes[1:], strict=False):
            assert after.from_state is before.to_state
            assert before.changed_at <= after.changed_at <= dt.datetime.combine(TODAY, dt.time(23, 59))
        assert r.reported_on <= TODAY
        if r.state in (ReturnState.CLOSED, ReturnState.CANCELLED):
            assert r.closed_on is not None
        if r.state is ReturnState.REPLACED:
            replacement = SoldUnit.get_by_id(r.replacement_unit_id)
            assert replacement.replaces_id == r.sold_unit_id
        # The unit's status follows what the return did to it, as the returns workflow sets it.
        went_through = {change.to_state for change in changes}
        unit = SoldUnit.get_by_id(r.sold_unit_id)
        if ReturnState.REPLACED in went_through:
            assert unit.status is UnitStatus.REPLACED
        elif went_through & {ReturnState.REFUNDED, ReturnState.CREDITED}:
            assert unit.status is UnitStatus.RETURNED
        else:
            assert unit.status is UnitStatus.ACTIVE


def test_rma_and_case_numbers_have_no_gaps_within_a_year(demo):
    """Returns: one sequence a year. Cases: one per series and year, complaints and claims sharing
    the register's (REC-), suggestions (SUG-) and compliments (FEL-) one each."""
    series = {
        ("RMA-",): WarrantyReturn.select(),
        ("REC-", CaseKind.COMPLAINT, CaseKind.CLAIM): Case.select().where(
            Case.kind.in_([CaseKind.COMPLAINT, CaseKind.CLAIM])
        ),
        ("SUG-", CaseKind.SUGGESTION): Case.select().where(Case.kind == CaseKind.SUGGESTION),
        ("FEL-", CaseKind.COMPLIMENT): Case.select().where(Case.kind == CaseKind.COMPLIMENT),
    }
    for (prefix, *kinds), query in series.items():
        by_year = defaultdict(list)
        for row in query.order_by(query.model.sequence):
            by_year[row.year].append(row)
        assert by_year, prefix
        for year, rows in by_year.items():
            assert [r.sequence for r in rows] == list(range(1, len(rows) + 1))
            assert [r.number for r in rows] == [f"{prefix}{year}-{n:04d}" for n in range(1, len(rows) + 1)]
            assert not kinds or {r.kind for r in rows} <= set(kinds)


def test_every_case_kind_and_stage_appears_with_its_history(demo):
    cases = list(Case.select())
    present = {(c.kind, c.stage) for c in cases}
    complaint_stages = {
        CaseStage.RECEPTION,
        CaseStage.ANALYSIS,
        CaseStage.SERVICE,
        CaseStage.INTERNAL_NEGOTIATION,
        CaseStage.EXTERNAL_MEDIATION,
        CaseStage.SATISFACTION,
        CaseStage.CLOSED,
    }
    note_stages = {CaseStage.RECEIVED, CaseStage.ACKNOWLEDGED, CaseStage.FORWARDED, CaseStage.CLOSED}
    for kind in (CaseKind.COMPLAINT, CaseKind.CLAIM):
        assert {(kind, s) for s in complaint_stages} <= present
    for kind in (CaseKind.SUGGESTION, CaseKind.COMPLIMENT):
        assert {(kind, s) for s in note_stages} <= present
    for case in cases:
        history = CaseStageChange.select().where(CaseStageChange.case == case.id).order_by(CaseStageChange.id)
        stages = [h.to_stage for h in history]
        assert stages[0] in (CaseStage.RECEPTION, CaseStage.RECEIVED)
        assert stages[-1] is case.stage
    answers = {p.answer for p in CaseProposal.select()}
    assert answers == set(ProposalAnswer)
    mediated = Case.get(Case.stage == CaseStage.EXTERNAL_MEDIATION)
    assert mediated.mediation_body and mediated.mediation_on is not None
    claim = Case.get(Case.kind == CaseKind.CLAIM)
    assert claim.requested_compensation


def test_follow_ups_are_done_missed_cancelled_overdue_and_still_to_come(demo):
    now = dt.datetime.combine(TODAY, dt.time())
    planned = FollowUp.select().where(FollowUp.state == FollowUpState.PLANNED)
    assert planned.where(FollowUp.scheduled_at < now).exists()  # overdue
    assert planned.where(FollowUp.scheduled_at >= now).exists()  # to come
    assert {f.state for f in FollowUp.select()} == set(FollowUpState)
    happened = FollowUp.select().where(FollowUp.state.in_([FollowUpState.DONE, FollowUpState.MISSED]))
    assert not happened.where(FollowUp.scheduled_at >= now).exists()  # nothing done in the future
    follow_ups = list(FollowUp.select())
    assert len(follow_ups) >= 5 * CUSTOMERS
    assert len({f.rep_id for f in follow_ups}) >= 5
    for f in follow_ups:
        assert f.scheduled_at.weekday() < 5
        assert dt.time(9) <= f.scheduled_at.time() <= dt.time(19)
        if f.retry_of_id is not None:
            assert f.plan_step_id is None and f.attempt >= 2


def test_usage_checks_pass_and_fail_with_answers(demo):
    checks = list(UsageCheck.select())
    completed = [c for c in checks if c.status is CheckStatus.COMPLETED]
    assert any(c.passed for c in completed) and any(c.passed is False for c in completed)
    assert all(c.answers.count() > 0 for c in checks)


def test_units_carry_their_warranty_end(demo):
    units = (
        SoldUnit.select(SoldUnit, SaleLine, Sale, Product)
        .join(SaleLine)
        .join(Sale)
        .switch(SoldUnit)
        .join(Product)
        .where(SoldUnit.replaces.is_null())
    )
    for unit in units:
        expected = warranty_end_date(
            unit.line.sale.delivered_on, unit.product.warranty_months, unit.warranty_extension_months
        )
        assert unit.warranty_ends_on == expected


def test_surveys_and_charters(demo):
    scores = [(s.satisfaction, s.recommend) for s in SatisfactionSurvey.select()]
    assert scores and all(1 <= a <= 5 and 0 <= b <= 10 for a, b in scores)
    charters = list(ServiceCharter.select())
    assert {c.type for c in charters} == set(CharterType) and all(c.active for c in charters)
    assert all(c.commitments.count() >= 3 for c in charters)
    assert CharterCommitment.select().where(CharterCommitment.days.is_null(False)).exists()


def test_the_demo_database_is_healthy(demo):
    report = check_database()
    assert report.ok, report.problems
    assert report.row_counts["customer"] == CUSTOMERS
    # No broken reference, and on PostgreSQL every id sequence continues after the demo's own ids.
    assert report.foreign_key_problems == [] and report.sequences_behind == []


def test_no_audit_entry_carries_the_wall_clock(demo):
    from app.models import AuditEntry

    latest = AuditEntry.select(fn.MAX(AuditEntry.at)).scalar()
    assert latest is not None and latest <= dt.datetime.combine(TODAY, dt.time.max)


def test_every_demo_history_follows_the_services_own_transition_tables(demo):
    """Each recorded step of every return, case and follow-up is one the real state machine allows."""
    returns = {r.id: r.state for r in WarrantyReturn.select(WarrantyReturn.id, WarrantyReturn.state)}
    steps = defaultdict(list)
    for change in ReturnStatusChange.select().order_by(ReturnStatusChange.id):
        steps[change.warranty_return_id].append((change.from_state, change.to_state))
    assert set(steps) == set(returns)
    for return_id, history in steps.items():
        state = None
        for source, target in history:
            assert source is state, (return_id, history)
            if source is None:
                assert target is ReturnState.REQUESTED  # what open_return writes
            else:
                assert target in return_service.TRANSITIONS[source], (return_id, source, target)
            state = target
        assert state is returns[return_id]

    cases = {c.id: (c.kind, c.stage) for c in Case.select(Case.id, Case.kind, Case.stage)}
    steps = defaultdict(list)
    for change in CaseStageChange.select().order_by(CaseStageChange.id):
        steps[change.case_id].append((change.from_stage, change.to_stage))
    assert set(steps) == set(cases)
    for case_id, history in steps.items():
        kind, stage = cases[case_id]
        current = None
        for source, target in history:
            assert source is current, (case_id, history)
            assert case_service.can_transition(kind, source, target), (case_id, kind, source, target)
            current = target
        assert current is stage

    # A follow-up keeps no history table: it starts planned and takes at most one step out of it;
    # a retry is a new follow-up after an attempt that did not reach the customer.
    for follow_up in FollowUp.select():
        assert follow_up.state is FollowUpState.PLANNED or followup_service.can_transition(
            FollowUpState.PLANNED, follow_up.state
        ), follow_up.id
        if follow_up.retry_of_id is not None:
            previous = FollowUp.get_by_id(follow_up.retry_of_id)
            assert (
                previous.state is FollowUpState.DONE and previous.outcome in followup_service.RETRY_OUTCOMES
            )


def test_each_demo_charter_prints_its_complaint_procedure_under_that_heading(demo, tmp_path):
    """The complaint-procedure section holds the four stages about complaints; how the service is
    delivered (delivery and installation, the financing process) prints under "Our service"."""
    from pypdf import PdfReader

    from app.documents import DocumentKind, DocumentRequest, produce_document

    service_words = {
        CharterType.PRODUCT_ACCESS: "entrega, instalación y comprobación del uso correcto",
        CharterType.FINANCING: "estudio de la solicitud, firma y seguimiento de las cuotas",
    }
    for charter_type in CharterType:
        request = DocumentRequest(DocumentKind.CHARTER, language="es", charter_type=charter_type)
        path = produce_document(request, tmp_path / f"{charter_type.value}.pdf", today=TODAY)
        text = " ".join(
            " ".join(page.extract_text() for page in PdfReader(str(path)).pages).split()
        ).casefold()
        service = text[text.index("nuestro servicio") : text.index("nuestros compromisos")]
        procedure = text[
            text.index("quejas y reclamaciones: cómo las gestionamos") : text.index(
                "cómo nos comunicamos con usted"
            )
        ]
        stages = ["1. recepción:", "2. análisis:", "3. servicio:", "4. análisis de la satisfacción:"]
        positions = [procedure.index(stage) for stage in stages]
        assert positions == sorted(positions), charter_type
        assert "queja o reclamación" in procedure, charter_type
        if charter_type in service_words:
            assert service_words[charter_type] in service, charter_type
            assert service_words[charter_type] not in procedure, charter_type


def test_the_follow_ups_still_to_come_obey_the_placement_rules(database):
    """Working days of the region, inside the rep's hours (their own where they have some), never
    two visits of one rep in one hour, no rep's day above the daily capacity (#21)."""
    from collections import Counter

    from app.services.company import load_company_settings, save_company_settings
    from app.services.followups.placement import PlacementRules

    settings = load_company_settings()
    settings.daily_capacity = 4  # small, so that the demo's busy days really spread
    save_company_settings(settings)
    generate_demo(customers=120, seed=3, today=TODAY)
    rules = PlacementRules.from_settings()
    own = {
        name: (start, end)
        for name, start, end in Rep.select(Rep.name, Rep.working_hours_start, Rep.working_hours_end)
        .where(Rep.working_hours_start.is_null(False))
        .tuples()
    }
    assert own == demo_module.REP_HOURS  # one rep works a shorter day of her own
    to_come = list(
        FollowUp.select(FollowUp.rep, FollowUp.scheduled_at, FollowUp.duration_minutes, FollowUp.kind)
        .where(
            (FollowUp.state == FollowUpState.PLANNED)
            & (FollowUp.scheduled_at >= dt.datetime.combine(TODAY, dt.time()))
        )
        .tuples()
    )
    assert len(to_come) > 200
    per_day: Counter = Counter()
    visit_hours: set[tuple[int, dt.datetime]] = set()
    for rep_id, at, minutes, kind in to_come:
        assert rules.calendar.is_working_day(at.date()), at
        start, end = rules.hours(rep_id)
        assert at.time() >= start and at + dt.timedelta(minutes=minutes) <= dt.datetime.combine(
            at.date(), end
        )
        per_day[rep_id, at.date()] += 1
        if kind is FollowUpKind.VISIT:
            hour, finish = at.replace(minute=0), at + dt.timedelta(minutes=minutes)
            while hour < finish:
                assert (rep_id, hour) not in visit_hours, f"two visits of rep {rep_id} at {hour}"
                visit_hours.add((rep_id, hour))
                hour += dt.timedelta(hours=1)
    assert max(per_day.values()) == 4  # full days, none above
    own_rep = Rep.get(Rep.name == next(iter(demo_module.REP_HOURS))).id
    assert any(rep_id == own_rep for rep_id, *_rest in to_come)
    assert visit_hours


def test_a_bigger_demo_company_gives_its_reps_longer_days(database, monkeypatch):
    """The daily capacity grows with the demo's size (never shrinks): its few reps carry every
    customer, and placement would otherwise push their work years ahead."""
    from app.services.company import load_company_settings, save_company_settings

    settings = load_company_settings()
    settings.daily_capacity = 4
    save_company_settings(settings)
    monkeypatch.setattr(demo_module, "CUSTOMERS_PER_DAILY_FOLLOW_UP", 5)
    generate_demo(customers=CUSTOMERS, seed=7, today=TODAY)
    assert load_company_settings().daily_capacity == CUSTOMERS // 5 == 6
