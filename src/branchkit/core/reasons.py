"""Reason codes of the allocation: stable snake_case keys, with a message in Chinese and English.

A code says why a customer has no keeper, why its keeper changed, why a claim
was declined, or which rule settled a tie between equal claims. Outputs carry
the code (``reason``, the machine contract) and, for people, its message.
"""

from __future__ import annotations

#: code -> (中文, English)
REASONS: dict[str, tuple[str, str]] = {
    # --- why a customer has no keeper (or was placed beyond capacity)
    "below_deposit_floor": ("无贷款且存款低于分配门槛，不在本次分配范围",
                            "no loan and deposits below the deposit floor: outside this allocation"),
    "no_eligible_role": ("本网点没有可接收该客户的在岗人员（分配路线上的岗位无人或容量为0）",
                         "no active staff of the branch in a role its route allows (none, or capacity 0)"),
    "all_eligible_full": ("所有可接收该客户的人员均已满额",
                          "everyone eligible for the customer is at capacity"),
    "keeper_ambiguous": ("维护人不明确（姓名对应多名员工，或上月分配重复列出不同维护人），请行长确认",
                         "the keeper is ambiguous (a name shared by several staff, or last month's "
                         "allocation lists the customer twice with different keepers): the head decides"),
    "no_branch": ("客户未注明所属网点，无法在网点内分配", "the customer names no branch: nobody can keep it"),
    # --- how a distributed customer found its keeper: its marketer (谁营销谁维护), or why the marketer could not
    "marketer_keeps": ("谁营销谁维护：由营销人维护", "who markets it keeps it: kept by its marketer"),
    "marketer_left": ("营销人已离职，按分配路线分配", "the marketer left: distributed by route"),
    "marketer_on_leave": ("营销人休假/请假中，按分配路线分配", "the marketer is on leave: distributed by route"),
    "marketer_other_branch": ("营销人不属于该客户所在网点，按分配路线分配",
                              "the marketer belongs to another branch: distributed by route"),
    "marketer_unknown": ("营销人不在员工名单中，按分配路线分配", "the marketer is not on the staff list: distributed by route"),
    "marketer_loan_needs_rm": ("有贷款的客户须由行长、副行长或对应的客户经理维护，营销人岗位不符，按分配路线分配",
                               "a loan customer is kept by the head, a deputy or the RM of its kind, and the "
                               "marketer is none of them: distributed by route"),
    "marketer_not_on_route": ("营销人的岗位不在该客户的分配路线上（或对该层级容量为0），按分配路线分配",
                              "the marketer's role is not on the customer's route (or has no capacity for its "
                              "tier): distributed by route"),
    # --- why a keeper changed (also on the changes sheet)
    "keeper_left": ("原维护人已离职", "the keeper left"),
    "keeper_unknown": ("原维护人不在员工名单中", "the keeper is not on the staff list"),
    "keeper_other_branch": ("原维护人不属于本网点", "the keeper belongs to another branch"),
    "keeper_role_changed": ("原维护人岗位变动，该层级客户不再由其岗位维护",
                            "the keeper changed role; the customer's tier is no longer theirs"),
    "target_owner_role": ("目标客户按企业规模确定营销责任人岗位，原负责人的岗位不负责该规模的目标客户",
                          "targets of this scale are owned by another role (by enterprise scale); the owner's "
                          "role does not own them"),
    "loan_needs_rm": ("有贷款的客户须由行长、副行长或对应的客户经理维护",
                      "a customer with a loan is kept by the head, a deputy or the relationship manager "
                      "of its kind"),
    "claim_outranks": ("更高优先级岗位认领", "a claim of strictly higher priority"),
    "locked_claim": ("行长指定（锁定）的认领", "a claim the head pinned (locked)"),
    "rebalance": ("再平衡：为均衡同级人员的加权负荷而调整维护人",
                  "rebalance: moved to even out the weighted load of equal-rank staff"),
    # --- why a claim was declined
    "duplicate_claim": ("同一人重复认领同一客户", "the same person claimed the same customer again"),
    "target_customer": ("目标客户按企业规模指定营销责任人，不接受认领",
                        "target customers get their owner by enterprise scale, not by claim"),
    "claimant_left": ("认领人已离职", "the claimant left"),
    "claimant_on_leave": ("认领人休假/请假中，暂不分配新客户", "the claimant is on leave and gets no new customers"),
    "claimant_other_branch": ("认领人不属于该客户所在网点", "the claimant belongs to another branch"),
    "claimant_unknown": ("认领人不在员工名单中", "the claimant is not on the staff list"),
    "role_cannot_claim": ("认领人岗位不在认领优先级中", "the claimant's role is not in the claim priority"),
    "customer_locked": ("该客户已由行长指定（锁定）维护人", "the head pinned (locked) the customer to its keeper"),
    "keeper_ranks_equal_or_higher": ("现维护人岗位优先级不低于认领人", "the current keeper's role ranks equal or higher"),
    "outranked": ("有更高优先级岗位的认领", "a claim of higher priority won"),
    "outranked_by_locked": ("行长指定（锁定）的认领胜出", "a locked claim (the head's pin) won"),
    "tie_lost": ("同优先级认领冲突，按规则判给他人（见认领冲突表）",
                 "equal-priority claims: the tie rule gave it to another (see conflicts)"),
    # --- which rule settled a tie between equal claims (DOMAIN §3, assumed)
    "already_keeps": ("已是该客户的维护人", "already keeps the customer"),
    "lower_load": ("加权负荷较低", "lower weighted load"),
    "lower_staff_id": ("工号较小", "lower staff id"),
}

#: Codes that leave a customer without keeper.
UNPLACED = ("below_deposit_floor", "no_eligible_role", "all_eligible_full", "keeper_ambiguous", "no_branch")
#: Codes of a distributed customer's marketer: it keeps the customer, or why it could not.
MARKETER = ("marketer_keeps", "marketer_left", "marketer_on_leave", "marketer_other_branch", "marketer_unknown",
            "marketer_loan_needs_rm", "marketer_not_on_route")
#: Codes that make a current keeper give the customer up.
KEEPER_GONE = ("keeper_left", "keeper_unknown", "keeper_other_branch", "keeper_role_changed", "target_owner_role",
               "loan_needs_rm", "keeper_ambiguous")
#: Codes of declined claims.
DECLINED = ("duplicate_claim", "target_customer", "below_deposit_floor", "keeper_ambiguous", "claimant_other_branch",
            "claimant_unknown", "claimant_left", "claimant_on_leave", "role_cannot_claim", "loan_needs_rm",
            "customer_locked", "keeper_ranks_equal_or_higher", "outranked", "outranked_by_locked", "tie_lost")
#: Rules that settle ties, in the order they apply.
TIE_RULES = ("already_keeps", "lower_load", "lower_staff_id")


def message(code: object, lang: str) -> str | None:
    """The message of a code in ``lang`` (zh/en); None for no code, the code itself when unknown."""
    if not isinstance(code, str) or not code:
        return None
    zh, en = REASONS.get(code, (code, code))
    return zh if lang == "zh" else en
