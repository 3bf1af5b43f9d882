"""Customers: profiles, identities and merging, consent, addresses, loyalty, gift cards, store credit."""
