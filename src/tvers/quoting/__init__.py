"""Stored promotions, coupons and shipping rates, and turning a cart into a priced quote."""
