"""Follow-ups: calls and visits, their plans, the agenda and its reminders. No Qt.

- `workflow`: the state machine (`TRANSITIONS`) and the commands a rep runs from the agenda.
- `agenda`: the agenda queries, whole lists and the agenda page's batches.
- `plans`: follow-up plans per category and applying them to a delivered sale.
- `working_days`: weekends and public holidays (`WorkingCalendar`).
- `placement`: where automatic follow-ups land (working hours, capacity per rep, free hours for visits).
- `calendar_export`: the agenda as an iCalendar file.
- `reminders`: what is due and what a reminder or the morning summary says (the tray is a view).

`workflow` and `agenda` are re-exported here, so `app.services.followups` keeps working as the
follow-ups module it was (`ConfirmationRequired` now lives in `app.services.errors`).
"""

from app.services.errors import (
    ConfirmationRequired,
)
from app.services.followups.agenda import (
    ALL_STATES,
    AgendaRow,
    AgendaWindow,
    agenda,
    agenda_batch,
    agenda_query,
    agenda_rows,
    count_agenda,
    count_by_day,
    get_follow_up,
    overdue_count,
    overdue_follow_ups,
    planned_for_sale,
    upcoming,
)
from app.services.followups.workflow import (
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_TIME_OF_DAY,
    DEFAULT_TIMES_BY_KIND,
    MAX_DURATION_MINUTES,
    NOT_REACHED_OUTCOMES,
    OUTCOMES_BY_KIND,
    RETRY_OUTCOMES,
    TRANSITIONS,
    CompletionResult,
    DuplicateFollowUpError,
    FollowUpAction,
    OnDuplicate,
    ScheduleResult,
    allowed_actions,
    can_transition,
    cancel_follow_up,
    complete_follow_up,
    create_follow_up,
    customer_address,
    default_time_of_day,
    mark_missed,
    max_attempts,
    outcomes_for,
    reschedule_follow_up,
    retry_follow_up,
    schedule_follow_up,
    schedule_satisfaction_call,
    set_max_attempts,
    validate_scores,
)

__all__ = [
    "ALL_STATES",
    "AgendaRow",
    "AgendaWindow",
    "CompletionResult",
    "ConfirmationRequired",
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_TIMES_BY_KIND",
    "DEFAULT_TIME_OF_DAY",
    "DuplicateFollowUpError",
    "FollowUpAction",
    "MAX_DURATION_MINUTES",
    "NOT_REACHED_OUTCOMES",
    "OUTCOMES_BY_KIND",
    "OnDuplicate",
    "RETRY_OUTCOMES",
    "ScheduleResult",
    "TRANSITIONS",
    "agenda",
    "agenda_batch",
    "agenda_query",
    "agenda_rows",
    "allowed_actions",
    "can_transition",
    "cancel_follow_up",
    "complete_follow_up",
    "count_agenda",
    "count_by_day",
    "create_follow_up",
    "customer_address",
    "default_time_of_day",
    "get_follow_up",
    "planned_for_sale",
    "mark_missed",
    "max_attempts",
    "outcomes_for",
    "overdue_count",
    "overdue_follow_ups",
    "reschedule_follow_up",
    "retry_follow_up",
    "schedule_follow_up",
    "schedule_satisfaction_call",
    "set_max_attempts",
    "upcoming",
    "validate_scores",
]
