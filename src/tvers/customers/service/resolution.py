"""Identity resolution: which profile an arrival (cart, order, sign-up, event) belongs to (ADR 0005)."""

from __future__ import annotations

from tvers.customers.merge_rules import DEFAULT_POLICY, MergePolicy
from tvers.customers.schemas import ArrivalIn, CustomerIn, CustomerStatus, ResolutionOut, ResolutionOutcome
from tvers.customers.service._shared import check_channel, current_row, live_row
from tvers.customers.service.identities import Claim, Owned, attach_identities, normalise_claims, owned_identities
from tvers.customers.service.merging import AUTOMATIC, Evidence, merge_many
from tvers.customers.service.profiles import new_profile
from tvers.db.uow import Uow


def resolve(uow: Uow, arrival: ArrivalIn, *, policy: MergePolicy = DEFAULT_POLICY, actor: str = AUTOMATIC) -> ResolutionOut:
    """Attach the arrival to the profile its identities point to, creating or merging profiles as the policy allows.

    Strong matches decide: several strongly matched profiles are merged; new identities go to the
    survivor. Weak matches (a shared phone, an unverified email) never merge and get nothing new.
    """
    channel = check_channel(uow, arrival.channel)
    claims = normalise_claims(uow, arrival.identities, channel=channel, region=arrival.region)
    stored = owned_identities(uow, claims)
    unowned = [c for c in claims if (c.type.value, c.value) not in stored]
    strong, weak = _split_owners(uow, claims, stored, policy)
    if not strong and not weak:
        row = new_profile(uow, _profile(arrival), unowned, channel=channel, known={})
        return ResolutionOut(customer_id=row.id, outcome=ResolutionOutcome.CREATED, added_identities=[c.type for c in unowned])
    if strong:
        return _attach_strong(uow, arrival, strong, weak, unowned, channel=channel, actor=actor)
    return _weak_only(uow, arrival, weak, unowned, channel=channel)


def _split_owners(uow: Uow, claims: list[Claim], stored: dict[tuple[str, str], Owned],
                  policy: MergePolicy) -> tuple[dict[str, list[Evidence]], set[str]]:
    """Current owner profiles matched strongly (with the evidence) and those matched only weakly."""
    strong: dict[str, list[Evidence]] = {}
    matched: set[str] = set()
    for claim in claims:
        identity = stored.get((claim.type.value, claim.value))
        if identity is None:
            continue
        owner = _live_owner(uow, identity, field=claim.field)
        matched.add(owner)
        if policy.is_strong(claim.type, stored_verified=identity.is_verified, arriving_verified=claim.is_verified):
            strong.setdefault(owner, []).append(Evidence(type=claim.type.value, identity_id=identity.id))
    return strong, matched - strong.keys()


def _live_owner(uow: Uow, identity: Owned, *, field: str) -> str:
    """`live_row(...).id` without another read when the owner row read with the identity is active and unmerged."""
    if identity.owner_merged_into is None and identity.owner_status == CustomerStatus.ACTIVE:
        return identity.customer_id
    return live_row(uow, identity.customer_id, field=field).id  # merged (follow the pointer) or erased (refused)


def _attach_strong(uow: Uow, arrival: ArrivalIn, strong: dict[str, list[Evidence]], weak: set[str], unowned: list[Claim], *,
                   channel: str | None, actor: str) -> ResolutionOut:
    evidence = [item for items in strong.values() for item in items]
    survivor, merged = merge_many(uow, list(strong), reason=f"identity resolution ({arrival.kind.value})",
                                  evidence=evidence, actor=actor)
    # `unowned` was established in this transaction (a concurrent insert still meets the unique index).
    attach_identities(uow, survivor, unowned, channel=channel, known={})
    outcome = ResolutionOutcome.MERGED if merged else ResolutionOutcome.ATTACHED
    return ResolutionOut(customer_id=survivor, outcome=outcome, merged_ids=merged, added_identities=[c.type for c in unowned],
                         possible_duplicates=sorted(weak))


def _weak_only(uow: Uow, arrival: ArrivalIn, weak: set[str], unowned: list[Claim], *, channel: str | None) -> ResolutionOut:
    if not unowned and len(weak) == 1:
        # Everything it carries already points to one profile: attach the arrival, add nothing.
        return ResolutionOut(customer_id=current_row(uow, next(iter(weak))).id, outcome=ResolutionOutcome.ATTACHED)
    if not unowned:
        return ResolutionOut(customer_id=None, outcome=ResolutionOutcome.AMBIGUOUS, possible_duplicates=sorted(weak))
    # A weak match gets nothing new: the new identities start a profile of their own, flagged for staff.
    row = new_profile(uow, _profile(arrival), unowned, channel=channel, known={})
    return ResolutionOut(customer_id=row.id, outcome=ResolutionOutcome.CREATED, added_identities=[c.type for c in unowned],
                         possible_duplicates=sorted(weak))


def _profile(arrival: ArrivalIn) -> CustomerIn:
    data = arrival.profile.model_dump() if arrival.profile else {}
    return CustomerIn(**data)
