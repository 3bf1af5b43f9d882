"""Returns and refunds: what a return gives back, to which tender, and why (refund calculation is pure, in `refunds`)."""
