"""Properties of invoices and proration, for any mix hypothesis can think of: an invoice's
totals are its non-void lines' net plus their tax per rate; voiding one invoice never changes
another; prorated pieces of a period add up to the period."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from omnicrm.billing import invoices as inv
from omnicrm.billing import use_cases as uc
from omnicrm.billing.models import Invoice
from omnicrm.billing.proration import Piece, prorate, split, tax_of
from omnicrm.billing.run import bill_chunk
from omnicrm.catalog.models import BillingPeriod
from tests.factories import CustomerFactory

RATES = [Decimal(r) for r in ("0", "5", "7.5", "10", "19", "20", "21", "33.33")]
amounts = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("99999"), places=4)
line_specs = st.lists(
    st.tuples(
        st.sampled_from(["charge", "credit"]), amounts, st.sampled_from(RATES), st.booleans()
    ),
    min_size=1,
    max_size=12,
)
SLOW = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _half_up(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _bill(session, customer_id):
    return bill_chunk(
        session,
        customer_ids=[customer_id],
        as_of=date(2026, 12, 1),
        run_id=None,
        auto_issue=True,
        payment_terms_days=14,
        suspended_billed=False,
    )


def _write(session, customer_id, specs):
    kept = []
    for kind, amount, rate, void in specs:
        row = uc.create_manual(
            session,
            customer_id=customer_id,
            kind=kind,
            description="line",
            amount=amount,
            tax_percentage=rate,
        )
        if void:
            uc.void_transaction(
                session, transaction_id=row.transaction_id, reason="x", user_id=None
            )
        else:
            kept.append((row.retail_amount, rate))
    return kept


@SLOW
@given(specs=line_specs)
def test_an_invoice_is_its_non_void_lines_plus_tax_per_rate(db_session, specs):
    savepoint = db_session.begin_nested()
    try:
        customer = CustomerFactory()
        kept = _write(db_session, customer.customer_id, specs)
        result = _bill(db_session, customer.customer_id)
        # Each line's tax, by hand: half-up on the magnitude, the sign of the line.
        expected_tax = {}
        for net, rate in kept:
            tax = _half_up(abs(net) * rate / 100)
            expected_tax.setdefault(rate, []).append((net, -tax if net < 0 else tax))
        net_sum = sum((n for n, _ in kept), Decimal(0))
        tax_sum = sum((t for pairs in expected_tax.values() for _, t in pairs), Decimal(0))
        if not kept or net_sum + tax_sum < 0:
            assert result.invoice_ids == []  # nothing to invoice, or a credit carried forward
            return
        [invoice_id] = result.invoice_ids
        invoice = db_session.get(Invoice, invoice_id)
        db_session.refresh(invoice)
        view = inv.invoice_view(db_session, invoice)
        assert all(not line.void for line in view["lines"]) and len(view["lines"]) == len(kept)
        assert invoice.subtotal == net_sum
        assert invoice.tax_total == tax_sum
        assert invoice.total == net_sum + tax_sum
        assert {r["tax_percentage"]: (r["net"], r["tax"]) for r in view["tax_summary"]} == {
            rate: (sum(n for n, _ in pairs), sum(t for _, t in pairs))
            for rate, pairs in expected_tax.items()
        }
        assert invoice.amount_due == (invoice.total if invoice.total > 0 else 0)
    finally:
        savepoint.rollback()


@SLOW
@given(
    books=st.lists(
        st.lists(
            st.tuples(st.just("charge"), amounts, st.sampled_from(RATES), st.just(False)),
            min_size=1,
            max_size=4,
        ),
        min_size=2,
        max_size=5,
    ),
    pick=st.integers(min_value=0),
)
def test_voiding_never_changes_another_invoice(db_session, books, pick):
    savepoint = db_session.begin_nested()
    try:
        invoice_ids = []
        for specs in books:
            customer = CustomerFactory()
            _write(db_session, customer.customer_id, specs)
            invoice_ids += _bill(db_session, customer.customer_id).invoice_ids

        def snapshot():
            db_session.expire_all()
            rows = db_session.scalars(select(Invoice).where(Invoice.invoice_id.in_(invoice_ids)))
            return {
                i.invoice_id: (
                    i.invoice_number,
                    i.status,
                    i.subtotal,
                    i.tax_total,
                    i.total,
                    i.amount_paid,
                    [
                        (x.transaction_id, x.retail_amount, x.tax_amount, x.void)
                        for x in inv.lines_of(db_session, i.invoice_id)
                    ],
                )
                for i in rows
            }

        before = snapshot()
        victim = invoice_ids[pick % len(invoice_ids)]
        inv.void_invoice(
            db_session, invoice_id=victim, reason="r", user_id=None, day=date(2026, 12, 2)
        )
        after = snapshot()
        assert after[victim][1].value == "void"
        assert {k: v for k, v in after.items() if k != victim} == {
            k: v for k, v in before.items() if k != victim
        }
    finally:
        savepoint.rollback()


@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 1)),
    cuts=st.lists(st.integers(min_value=1, max_value=60), max_size=4),
    price=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999"), places=2),
)
def test_prorated_pieces_cover_the_span_and_add_up(start, cuts, price):
    end = start + timedelta(days=90)
    points = sorted({start + timedelta(days=c) for c in cuts} | {start, end})
    pieces = [p for a, b in pairwise(points) for p in split(a, b, BillingPeriod.monthly)]
    # Contiguous, each inside one calendar month, together exactly [start, end).
    assert pieces[0].start == start and pieces[-1].end == end
    assert all(a.end == b.start for a, b in pairwise(pieces))
    assert all(p.start.month == (p.end - timedelta(days=1)).month for p in pieces)
    # Each piece is price * days / days-in-month, half-up to the cent; so the pieces of
    # whole months add up to those months' price within half a cent per piece.
    exact = sum((price * p.days / p.period_days for p in pieces), Decimal(0))
    rounded = sum((prorate(price, p) for p in pieces), Decimal(0))
    assert abs(rounded - exact) <= Decimal("0.005") * len(pieces)
    whole = Piece(date(2027, 2, 1), date(2027, 3, 1), 28)
    assert prorate(price, whole) == price


@given(
    net=st.decimals(min_value=Decimal("-99999"), max_value=Decimal("99999"), places=4),
    rate=st.sampled_from(RATES),
)
def test_a_credit_and_its_charge_cancel_tax_too(net, rate):
    assert tax_of(net, rate) + tax_of(-net, rate) == 0
