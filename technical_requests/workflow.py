"""The state machine of a technical request, declared once.

``TRANSITIONS`` is the only list of allowed status changes: the service
(``services.request_change_status``) checks it, and the database refuses any other
change with a trigger generated from it (migration 0002, ``transition_trigger_sql``);
``tests/technical_requests/test_workflow.py`` tries every pair against both.
"""

from __future__ import annotations

from technical_requests.choices import RequestStatus as S

TRANSITIONS: dict[str, frozenset[str]] = {
    S.OPEN: frozenset({S.SENT, S.REFUSED, S.ABANDONED}),
    S.SENT: frozenset({S.IN_PROGRESS, S.PLANNED, S.DONE, S.REFUSED, S.ABANDONED}),
    S.IN_PROGRESS: frozenset({S.PLANNED, S.DONE, S.REFUSED, S.ABANDONED}),
    S.PLANNED: frozenset({S.IN_PROGRESS, S.DONE, S.REFUSED, S.ABANDONED}),
    S.DONE: frozenset(),
    S.ABANDONED: frozenset(),
    S.REFUSED: frozenset(),
}

# Changes that must say why (the author reads the reason).
REASON_REQUIRED = frozenset({S.REFUSED, S.ABANDONED})
# The member may cancel (abandon) its own request while it has not been sent to the distributor.
MEMBER_CANCELLABLE = frozenset({S.OPEN})


def allowed(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


def transition_pairs() -> list[tuple[str, str]]:
    return sorted((source, target) for source, targets in TRANSITIONS.items() for target in targets)


TRIGGER_FUNCTION = "technical_request_transition_check"


def transition_trigger_sql(table: str) -> str:
    """The trigger refusing any status change that ``TRANSITIONS`` does not declare."""
    pairs = ", ".join(f"('{a}', '{b}')" for a, b in transition_pairs())
    return f"""
CREATE OR REPLACE FUNCTION {TRIGGER_FUNCTION}() RETURNS trigger AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status
       AND (OLD.status, NEW.status) NOT IN (VALUES {pairs}) THEN
        RAISE EXCEPTION 'technical request %: transition % -> % is not allowed', OLD.id, OLD.status, NEW.status
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS {TRIGGER_FUNCTION} ON {table};
CREATE TRIGGER {TRIGGER_FUNCTION} BEFORE UPDATE OF status ON {table}
    FOR EACH ROW EXECUTE FUNCTION {TRIGGER_FUNCTION}();
"""
