"""Return authorisations: a return asked for ahead of the goods gets a number the customer writes on the parcel or shows at
the till, and an expiry; staff find it by number and receive it anywhere. Expired or cancelled, its units may be returned again."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import select, update

from tvers.db.rows import rows_changed
from tvers.db.uow import Uow
from tvers.kernel.errors import FieldError
from tvers.returns import return_states
from tvers.returns.errors import (
    InvalidReturnQuantity,
    OverrideNotAllowed,
    ReturnAuthorisationExpired,
    ReturnCancelled,
    ReturnNotCancellable,
    ReturnNotFound,
)
from tvers.returns.events import ReturnCancelled as ReturnCancelledEvent
from tvers.returns.events import ReturnExpired
from tvers.returns.models import Return, ReturnLineRow
from tvers.returns.schemas import OverrideIn, ReturnOut, ReturnStatus
from tvers.returns.service.returning import get_return, returned_quantities

# Crockford's base32 without I, L, O, U: nothing to misread at a till. Eight of them: 40 random bits, not guessable in order.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "RMA-"
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def authorise(uow: Uow, return_id: str, *, valid_days: int) -> ReturnOut:
    """Give a requested return its number and expiry (`return_authorisation_days` from now)."""
    row = _row(uow, return_id)
    row.number, row.expires_at = _new_number(uow), uow.clock.now() + timedelta(days=valid_days)
    uow.session.flush()
    return get_return(uow, return_id)


def normalised(number: str) -> str:
    """What staff type, as stored: upper case, the prefix and dash added when left out (`7kq2 m9xd` → `RMA-7KQ2-M9XD`), and
    the letters Crockford's alphabet leaves out read as the digits they look like (O → 0, I and L → 1)."""
    code = "".join(ch for ch in number.upper() if ch.isalnum())
    if len(code) == len(PREFIX) - 1 + 8 and code.startswith(PREFIX[:-1]):
        code = code[len(PREFIX) - 1:]
    code = code.translate(_LOOKALIKES)
    return f"{PREFIX}{code[:4]}-{code[4:]}"


def find_by_number(uow: Uow, number: str) -> ReturnOut:
    found = uow.session.scalar(select(Return.id).where(Return.number == normalised(number)))
    if found is None:
        raise ReturnNotFound(f"no return authorisation {number}")
    return get_return(uow, found)


def admit_receipt(uow: Uow, return_id: str, *, override: OverrideIn | None, actor: str, may_override: bool,
                  fulfilled: Mapping[str, int]) -> None:
    """May the goods of this return come in now? A cancelled one never; an expired one (or one past its date the worker has
    not expired yet) only with staff's override, and only while its units were not returned by another return since."""
    row = _row(uow, return_id)
    if row.status == ReturnStatus.CANCELLED:
        raise ReturnCancelled(f"return {return_id} was cancelled", return_status=row.status)
    if not _is_expired(row, now=uow.clock.now()):
        return
    if override is None:
        raise ReturnAuthorisationExpired(f"return authorisation {row.number} expired at {row.expires_at}; staff may receive it "
                                         "anyway with an override and a reason", expires_at=str(row.expires_at))
    if not may_override:
        raise OverrideNotAllowed("only admins and store staff may receive an expired return")
    _check_still_returnable(uow, row, fulfilled)
    row.late_override = {"actor": actor, "reason": override.reason}
    uow.session.flush()


def cancel(uow: Uow, return_id: str) -> ReturnOut:
    """The customer changed their mind: only a return still `requested` (not received, not expired); `return.cancelled`."""
    row = _row(uow, return_id)
    moved = rows_changed(uow.session.execute(update(Return).where(
        Return.id == return_id, Return.status == ReturnStatus.REQUESTED.value).values(status=ReturnStatus.CANCELLED.value)))
    if moved != 1:
        uow.session.refresh(row)
        raise ReturnNotCancellable(f"return {return_id} is {row.status}; only a requested return can be cancelled",
                                   return_status=row.status)
    uow.record(ReturnCancelledEvent(return_id=return_id, order_id=row.order_id, channel=row.sold_channel))
    uow.session.refresh(row)
    return get_return(uow, return_id)


def expire_due(uow: Uow, *, limit: int) -> list[str]:
    """Authorisations past `expires_at` whose goods never came: `expired` (`return.expired`), their ids. A receipt racing it
    wins or loses on the conditional UPDATE, never both."""
    now = uow.clock.now()
    due = list(uow.session.execute(select(Return.id, Return.order_id, Return.sold_channel, Return.number).where(
        Return.status == ReturnStatus.REQUESTED.value, Return.expires_at.is_not(None), Return.expires_at < now)
        .order_by(Return.expires_at, Return.id).limit(limit)))
    expired = []
    for found in due:
        moved = rows_changed(uow.session.execute(update(Return).where(
            Return.id == found.id, Return.status == ReturnStatus.REQUESTED.value).values(status=ReturnStatus.EXPIRED.value)))
        if moved == 1:
            uow.record(ReturnExpired(return_id=found.id, order_id=found.order_id, channel=found.sold_channel, number=found.number))
            expired.append(found.id)
    return expired


def _is_expired(row: Return, *, now: datetime) -> bool:
    if row.status == ReturnStatus.EXPIRED:
        return True
    return row.status == ReturnStatus.REQUESTED and row.expires_at is not None and row.expires_at < now


def _check_still_returnable(uow: Uow, row: Return, fulfilled: Mapping[str, int]) -> None:
    """An expired return's units were free to return again: other returns may have taken them meanwhile."""
    if row.status not in return_states.RELEASED:
        return
    taken = returned_quantities(uow, row.order_id)
    for line in uow.session.scalars(select(ReturnLineRow).where(ReturnLineRow.return_id == row.id)):
        left = fulfilled.get(line.order_line_id, 0) - taken.get(line.order_line_id, 0)
        if line.quantity > left:
            message = f"line {line.order_line_id} has {left} units left to return since this authorisation expired, not {line.quantity}"
            raise InvalidReturnQuantity(message, fields=[FieldError("override", message, InvalidReturnQuantity.code)])


def _new_number(uow: Uow) -> str:
    for _ in range(5):  # 40 random bits: a clash is all but impossible, and checked anyway
        code = "".join(secrets.choice(ALPHABET) for _ in range(8))
        number = f"{PREFIX}{code[:4]}-{code[4:]}"
        if uow.session.scalar(select(Return.id).where(Return.number == number)) is None:
            return number
    raise RuntimeError("no free return authorisation number after 5 tries")


def _row(uow: Uow, return_id: str) -> Return:
    row = uow.session.get(Return, return_id)
    if row is None:
        raise ReturnNotFound(f"no return {return_id}")
    return row
