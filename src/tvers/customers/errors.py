"""Errors the customers module publishes."""

from __future__ import annotations

from tvers.kernel.errors import Conflict, InvalidInput, NotFound


class CustomerNotFound(NotFound):
    code = "customer_not_found"


class InvalidIdentity(InvalidInput):
    code = "invalid_identity"


class LooksLikeCardNumber(InvalidInput):
    """A payment-card number was sent where only a provider's fingerprint belongs."""

    code = "looks_like_card_number"


class IdentityTaken(Conflict):
    code = "identity_taken"


class IdentityNotFound(NotFound):
    code = "identity_not_found"


class CustomerErased(Conflict):
    code = "customer_erased"


class AlreadyErased(Conflict):
    code = "already_erased"


class InvalidMerge(Conflict):
    code = "invalid_merge"


class UnknownPurpose(InvalidInput):
    code = "unknown_purpose"


class InsufficientPoints(Conflict):
    code = "insufficient_points"


class InvalidProgramme(InvalidInput):
    code = "invalid_programme"


class GiftCardNotFound(NotFound):
    code = "gift_card_not_found"


class InsufficientBalance(Conflict):
    code = "insufficient_balance"


class GiftCardExpired(Conflict):
    code = "gift_card_expired"


class GiftCardVoid(Conflict):
    code = "gift_card_void"


class WrongCurrency(InvalidInput):
    code = "wrong_currency"


class RedemptionNotFound(NotFound):
    code = "redemption_not_found"
