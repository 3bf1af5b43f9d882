"""The words of notifications: templates filled from plain values, optional lines leaving no gaps."""

from __future__ import annotations

import pytest

from tvers.integrations.notifications import messages
from tvers.integrations.notifications.schemas import Kind


@pytest.mark.parametrize(("ready_by", "line"), [
    (None, ""),
    ("2026-11-05", "We now expect it by 2026-11-05."),
    ("2026-11-05T14:30:00+01:00", "We now expect it by 2026-11-05 13:30 UTC."),
    ("2026-11-05T14:30:00", "We now expect it by 2026-11-05 14:30."),
    ("next week", "We now expect it by next week."),
])
def test_the_new_promise_is_shown_as_a_date_or_a_utc_time(ready_by: str | None, line: str) -> None:
    assert messages.ready_by_line(ready_by) == line


def test_a_message_without_its_optional_lines_has_no_gaps() -> None:
    rendered = messages.render(Kind.SHIPPED, number="WEB-000001", greeting=messages.greeting(None), carrier="Posten",
                               tracking_line=messages.tracking_line(tracking_url=None, tracking_number=None))
    assert rendered.body == "Hi,\n\nYour order WEB-000001 has been shipped with Posten.\n\nThank you for your order.\n"


def test_a_subject_stays_one_line_whatever_the_values_hold() -> None:
    rendered = messages.render(Kind.CUSTOMER_ARRIVED, number="WEB-1\r\nBcc: someone@example.no", store="Bergen", spot="bay 2",
                               customer="Kari")
    assert rendered.subject == "Customer waiting outside for order WEB-1 Bcc: someone@example.no"


def test_a_value_left_out_is_a_bug_not_a_blank() -> None:
    with pytest.raises(KeyError):
        messages.render(Kind.DELAYED, number="WEB-1", greeting="Hi,")


def test_counts_and_addresses_read_naturally() -> None:
    assert (messages.units(1), messages.units(3)) == ("1 unit", "3 units")
    assert messages.address(["Strandkaien 2"], "5013", "Bergen") == "Strandkaien 2, 5013 Bergen"
    assert messages.address([], "", "Bergen") == "Bergen"
