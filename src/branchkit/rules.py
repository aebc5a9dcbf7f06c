"""The rules file: a pydantic model of rules.toml, its defaults and the deep merge.

The defaults live in ``defaults.toml`` beside this module (the same text
``branchkit init`` writes, comments included). The model has no defaults of
its own, so a key missing from that file is caught by the tests at once.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from branchkit.errors import RulesError

ROLE_KEYS = (
    "head", "deputy", "corporate_rm", "low_counter", "comprehensive_teller", "supervisor",
    "retail_rm", "lobby_manager", "lobby_guide", "high_counter", "back_office",
)
Role = Literal[
    "head", "deputy", "corporate_rm", "low_counter", "comprehensive_teller", "supervisor",
    "retail_rm", "lobby_manager", "lobby_guide", "high_counter", "back_office",
]
Tier = Literal["high", "mid", "general"]
RetailTier = Literal["mass", "potential", "mid_high"]
CustomerKind = Literal["corporate", "retail", "agri"]
Scale = Literal["large", "medium", "small", "micro"]
BranchType = Literal["large", "medium", "general", "township"]
Metric = Literal["outbound_visits", "referrals", "deposit_up", "products_sold", "new_customers"]
Perspective = Literal["financial", "customer", "internal", "learning"]
LEDGER_KINDS = (
    "customers", "customers_start", "staff", "claims", "previous", "visits", "plan", "volumes",
    "volumes_hourly", "referrals", "sales", "worklog", "deductions", "assessment", "pool",
)
LedgerKind = Literal[
    "customers", "customers_start", "staff", "claims", "previous", "visits", "plan", "volumes",
    "volumes_hourly", "referrals", "sales", "worklog", "deductions", "assessment", "pool",
]

# The sane range of every number in the rules, declared once as the type of its keys. Every float is
# finite (TOML allows inf and nan); upper bounds are far beyond any branch yet keep arithmetic exact.
#: CNY: at most ten trillion, so amounts stay exact to the cent in float64 (1e15 cents < 2**53).
Money = Annotated[float, Field(ge=0, le=1e13, allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
#: Customers one person keeps.
Customers = Annotated[int, Field(ge=0, le=1_000_000)]
#: People or counters in a staffing rule.
People = Annotated[int, Field(ge=0, le=1_000)]
#: Transactions a day (a branch's counter volume).
Volume = Annotated[float, Field(ge=0, le=1_000_000, allow_inf_nan=False)]
#: A duration in the queue model: at most a day.
Seconds = Annotated[float, Field(ge=0, le=86_400, allow_inf_nan=False)]
#: Days between visits: at most ten years.
Days = Annotated[int, Field(ge=0, le=3_660)]
#: Scorecard points and weights: at most the 1000-point scale.
Points = Annotated[float, Field(ge=0, le=1_000, allow_inf_nan=False)]
#: A monthly target count.
Target = Annotated[float, Field(gt=0, le=1_000_000, allow_inf_nan=False)]
#: Achievement ratios (cap, floor): at most 100 times the target.
Ratio = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]


def _distinct(values: list[Any]) -> list[Any]:
    seen: list[Any] = []
    for value in values:
        if value in seen:
            raise ValueError(f"{value!r} is listed twice")
        seen.append(value)
    return values


#: A list where an entry given twice is a mistake (a role twice in a priority order means two ranks).
Distinct = AfterValidator(_distinct)
Roles = Annotated[list[Role], Distinct]
Words = list[str]
#: Words read around a role name in a title: an empty one would match everywhere (every prefix a place).
TitleWords = list[Annotated[str, Field(pattern=r"^\S+$")]]


class _Model(BaseModel):
    # defer_build: a section's validator is built when first used, not at import: loading the rules builds
    # one for ``Rules`` instead of one per section and one again for ``Rules`` (import and load_rules, with
    # the ledger rows' models: 46.4 -> 40.7 ms process CPU, min of 8 alternating runs). Same checks, words.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class InputRules(_Model):
    """Limits against hostile files. The upper bounds are hard ceilings no rules file can pass; a ledger
    folder's own rules.toml may only lower these values (``load_rules(..., trusted=False)``)."""

    max_file_mb: Annotated[int, Field(gt=0, le=4096)]
    max_uncompressed_mb: Annotated[int, Field(gt=0, le=16384)]
    max_compression_ratio: Annotated[int, Field(gt=1, le=1000)]
    max_zip_entries: Annotated[int, Field(gt=0, le=100_000)]
    header_scan_rows: Annotated[int, Field(gt=0, le=1000)]
    max_text_chars: Annotated[int, Field(gt=0, le=32767)]


class ValueWords(_Model):
    customer_kind: dict[CustomerKind, Words]
    status: dict[Literal["existing", "target"], Words]
    scale: dict[Scale, Words]
    visit_kind: dict[Literal["outbound", "phone", "lobby"], Words]
    branch_type: dict[BranchType, Words]
    vip_grade: dict[Literal["gold", "platinum", "diamond"], Words]
    staff_state: dict[Literal["active", "on_leave", "left"], Words]
    goal_reached: dict[Literal["yes", "partly", "no"], Words]
    yes: Words
    no: Words


class RoleRules(_Model):
    names: dict[Role, Words]
    units: TitleWords
    departments: TitleWords
    grades: TitleWords
    not_the_post: TitleWords


class ValidationRules(_Model):
    severity: dict[str, Literal["error", "warning"]]


class CalendarRules(_Model):
    holidays: list[dt.date]
    extra_workdays: list[dt.date]


def _ordered(model: BaseModel, *keys: str) -> None:
    """Thresholds that must not decrease in the order given (a lower tier never starts above a higher)."""
    given = [(key, getattr(model, key)) for key in keys]
    for (low, low_value), (high, high_value) in zip(given, given[1:]):
        if low_value > high_value:
            raise ValueError(f"{low} ({_show(low_value)}) is above {high} ({_show(high_value)}); "
                             "the thresholds are out of order")


def _show(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


class RetailTiers(_Model):
    potential_min_assets: Money
    mid_high_min_assets: Money
    mid_high_min_loan: Money
    kinds: Annotated[list[CustomerKind], Distinct]
    assets_from_deposit: bool

    @model_validator(mode="after")
    def _in_order(self) -> "RetailTiers":
        _ordered(self, "potential_min_assets", "mid_high_min_assets")
        return self


class RelationshipTiers(_Model):
    high_min_deposit: Money
    high_min_loan: Money
    mid_min_deposit: Money
    mid_min_loan: Money

    @model_validator(mode="after")
    def _in_order(self) -> "RelationshipTiers":
        _ordered(self, "mid_min_deposit", "high_min_deposit")
        _ordered(self, "mid_min_loan", "high_min_loan")
        return self


class VipTiers(_Model):
    min_assets: dict[Literal["gold", "platinum", "diamond"], Money]

    @model_validator(mode="after")
    def _in_order(self) -> "VipTiers":
        given = [(grade, self.min_assets[grade]) for grade in ("gold", "platinum", "diamond")
                 if grade in self.min_assets]
        for (low, low_value), (high, high_value) in zip(given, given[1:]):
            if low_value > high_value:
                raise ValueError(f"min_assets.{low} ({_show(low_value)}) is above min_assets.{high} "
                                 f"({_show(high_value)}); the grades are out of order")
        return self


class TierRules(_Model):
    retail: RetailTiers
    relationship: RelationshipTiers
    vip: VipTiers


class RouteCondition(_Model):
    tier: list[Tier] | None = None
    retail_tier: list[RetailTier] | None = None
    kind: list[CustomerKind] | None = None
    scale: list[Scale] | None = None
    has_loan: bool | None = None


RoleOrRm = Role | Literal["rm"]
#: Steps of a route: tried in order; a list inside is a group of roles balanced together.
Steps = Annotated[list[RoleOrRm | Annotated[list[RoleOrRm], Field(min_length=1)]], Field(min_length=1)]


class Route(_Model):
    name: str
    when: RouteCondition
    roles: Steps


class Capacity(_Model):
    high: Customers
    mid: Customers
    general: Customers


class TargetRules(_Model):
    head_scales: Annotated[list[Scale], Distinct]
    head_steps: Steps
    owner_steps: Steps


class AllocationRules(_Model):
    deposit_floor: Money
    claim_priority: Roles
    equal_rank: list[Roles]
    rm_for_kind: dict[CustomerKind, Role]
    loan_keeper_roles: Roles
    tier_weights: dict[Tier, Points]
    when_full: Literal["overflow", "leave"]
    marketer_keeps: list[RouteCondition]
    routes: list[Route]
    capacity: dict[Role, Capacity]
    targets: TargetRules
    rebalance: Customers
    rebalance_frontier: Annotated[list[Customers], Field(max_length=100)]

    @model_validator(mode="after")
    def _complete(self) -> "AllocationRules":
        if set(self.tier_weights) != {"high", "mid", "general"}:
            raise ValueError("allocation.tier_weights needs exactly high, mid and general")
        if set(self.rm_for_kind) != {"corporate", "retail", "agri"}:
            raise ValueError("allocation.rm_for_kind needs corporate, retail and agri")
        try:
            _distinct([role for group in self.equal_rank for role in group])
        except ValueError as exc:
            raise ValueError(f"equal_rank: {exc} (a role ranks in one group only)") from None
        return self

    def claim_rank(self) -> dict[str, int]:
        """Role key -> claim rank (0 = highest), with equal-rank groups folded in."""
        rank = {role: i for i, role in enumerate(self.claim_priority)}
        for group in self.equal_rank:
            known = [rank[r] for r in group if r in rank]
            if known:
                for role in group:
                    rank[role] = min(known)
        return rank


class MinimumStaff(_Model):
    staff: People
    heads: People
    deputies: People
    service: People
    lobby: People
    lobby_managers: People
    corporate_rm: People


class CounterBand(_Model):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True, defer_build=True)

    counter: Literal["cash", "noncash"]
    types: list[BranchType]
    above: Volume | None = None
    from_: Volume | None = Field(default=None, alias="from")
    to: Volume | None = None
    below: Volume | None = None
    text_zh: str
    text_en: str
    dedicated: People
    combined: People

    @model_validator(mode="after")
    def _one_band(self) -> "CounterBand":
        lower, upper = self._lower(), self._upper()
        if self.above is not None and self.from_ is not None:
            raise ValueError("a counter band gives one lower edge: above (excluded) or from (included)")
        if self.below is not None and self.to is not None:
            raise ValueError("a counter band gives one upper edge: below (excluded) or to (included)")
        if lower is None and upper is None:
            raise ValueError("a counter band gives a lower edge (above, from), an upper edge (below, to) or both")
        if lower is not None and upper is not None:
            (low, low_in), (high, high_in) = lower, upper
            if low > high or (low == high and not (low_in and high_in)):
                raise ValueError(f"the band is empty: {self._words()}")
        return self

    def _lower(self) -> tuple[float, bool] | None:
        """The lower edge and whether it is included (``from``) or not (``above``)."""
        return (self.from_, True) if self.from_ is not None else (self.above, False) if self.above is not None \
            else None

    def _upper(self) -> tuple[float, bool] | None:
        """The upper edge and whether it is included (``to``) or not (``below``)."""
        return (self.to, True) if self.to is not None else (self.below, False) if self.below is not None else None

    def _words(self) -> str:
        parts = [f"{k} {_show(v)}" for k, v in (("from", self.from_), ("above", self.above), ("to", self.to),
                                                 ("below", self.below)) if v is not None]
        return ", ".join(parts)

    def contains(self, volume: float) -> bool:
        """Whether a daily volume falls in this band: ``from``/``to`` include their edge, ``above``/``below``
        do not."""
        lower, upper = self._lower(), self._upper()
        if lower is not None and (volume < lower[0] or (volume == lower[0] and not lower[1])):
            return False
        return upper is None or volume < upper[0] or (volume == upper[0] and upper[1])


class QueueRules(_Model):
    handling_seconds: Annotated[Seconds, Field(gt=0)]
    service_level: Annotated[Share, Field(gt=0, lt=1)]
    target_wait_seconds: Seconds
    max_occupancy: Annotated[Share, Field(gt=0)]
    shrinkage: Annotated[Share, Field(lt=1)]
    asa_target_seconds: Seconds
    patience_seconds: Seconds


TeamRatio = Annotated[list[People], Field(min_length=3, max_length=3)]


class StaffingRules(_Model):
    #: transactions one teller handles a day: at most one a minute around the clock
    teller_daily_throughput: Annotated[float, Field(gt=0, le=1_440, allow_inf_nan=False)]
    teller_roles: Roles
    lobby_roles: Roles
    service_roles: Roles
    count_on_leave: bool
    minimum: dict[BranchType, MinimumStaff]
    counters: list[CounterBand]
    queue: QueueRules
    rm_team: dict[str, TeamRatio]

    @model_validator(mode="after")
    def _consistent(self) -> "StaffingRules":
        missing = [t for t in BranchType.__args__ if t not in self.minimum]
        if missing:
            raise ValueError(f"staffing.minimum needs every branch type; missing: {missing}")
        for segment, ratio in self.rm_team.items():
            if ratio[0] < 1:
                raise ValueError(f"staffing.rm_team.{segment}: a team has at least 1 RM")
        _no_overlapping_bands(self.counters)
        return self

    def bands(self, counter: str, branch_type: str) -> list[CounterBand]:
        """The counter bands that apply to one counter kind and branch type, in file order."""
        return [b for b in self.counters if b.counter == counter and branch_type in b.types]


def _no_overlapping_bands(bands: list[CounterBand]) -> None:
    """Two bands of one counter and branch type covering the same volume would be ambiguous.

    Band edges are the only places where coverage changes, so testing every edge
    and a point between and beyond consecutive edges tests every volume.
    """
    edges = sorted({e for b in bands for e in (b.above, b.from_, b.to, b.below) if e is not None})
    probes = edges + [(a + b) / 2 for a, b in zip(edges, edges[1:])] + [e + 1 for e in edges[-1:]]
    probes += [e / 2 for e in edges[:1]]
    for i, first in enumerate(bands):
        for second in bands[i + 1:]:
            shared = set(first.types) & set(second.types)
            if first.counter != second.counter or not shared:
                continue
            both = [v for v in probes if first.contains(v) and second.contains(v)]
            if both:
                raise ValueError(f"staffing.counters: two {first.counter} bands for {sorted(shared)} "
                                 f"both cover a volume of {both[0]:g}")


VisitField = Literal["purpose", "contact", "needs", "objections", "approach", "met", "info", "achieved",
                     "reason", "next_step", "actions", "head_comment"]


class VisitCompleteness(_Model):
    before: list[VisitField]
    during: list[VisitField]
    after: list[VisitField]


class PlanRules(_Model):
    slip_patterns: Annotated[list[str], Field(min_length=1)]
    slip_words: Words
    colour_marks: bool
    rm_labels: Words
    visit_kinds: Annotated[list[Literal["outbound", "phone", "lobby"]], Distinct]
    cadence_days: dict[Tier, Days]
    completeness: VisitCompleteness

    @model_validator(mode="after")
    def _patterns_compile(self) -> "PlanRules":
        import re

        for pattern in self.slip_patterns:
            try:
                groups = re.compile(pattern).groups
            except re.error as exc:
                raise ValueError(f"plan.slip_patterns: {pattern!r} is not a regular expression: {exc}")
            if groups < 1:
                raise ValueError(f"plan.slip_patterns: {pattern!r} needs a group for the day")
        return self


class RoleScoring(_Model):
    weights: dict[Metric, Points]
    targets: dict[Metric, Target]

    @model_validator(mode="after")
    def _targets_for_weights(self) -> "RoleScoring":
        missing = sorted(set(self.weights) - set(self.targets))
        if missing:
            raise ValueError(f"a target is needed for every weighted metric; missing: {missing}")
        return self


class ScoringRules(_Model):
    cap: Annotated[Ratio, Field(gt=0)]
    floor: Ratio
    worklog_bonus: Points
    metrics: Annotated[list[Metric], Field(min_length=1)]
    perspectives: dict[Metric | Literal["worklog"], Perspective]
    roles: dict[Role | Literal["default"], RoleScoring]

    @model_validator(mode="after")
    def _consistent(self) -> "ScoringRules":
        if "default" not in self.roles:
            raise ValueError("scoring.roles needs a 'default' entry for every other role")
        if len(set(self.metrics)) != len(self.metrics):
            raise ValueError("scoring.metrics lists a metric twice")
        if self.floor > self.cap:
            raise ValueError(f"floor ({_show(self.floor)}) is above cap ({_show(self.cap)}): "
                             "no metric could earn points")
        for role, scoring in self.roles.items():
            extra = sorted(set(scoring.weights) - set(self.metrics))
            if extra:
                raise ValueError(f"scoring.roles.{role}.weights: {extra} not in scoring.metrics")
        missing = sorted(set(self.metrics) - set(self.perspectives))
        if missing:
            raise ValueError(f"scoring.perspectives needs a perspective for {missing}")
        return self

    def for_role(self, role: str) -> RoleScoring:
        """The weights and targets that apply to a role."""
        return self.roles.get(role, self.roles["default"])  # type: ignore[call-overload]


class CoefficientBand(_Model):
    min_score: Annotated[float, Field(ge=0, le=1_000, allow_inf_nan=False)]   # the 1000-point assessment
    coefficient: Annotated[float, Field(ge=0, le=10, allow_inf_nan=False)]    # times the branch average


class PayRules(_Model):
    individual_share: Share
    joint_lead_share: Share
    piece_rates: dict[str, Money]
    deputy_coefficient_ratio: Share          # of the head's coefficient: a deputy is never paid above the head
    management_roles: Roles
    zero_points: Literal["equal", "undistributed"]
    missing_assessment: Literal["lowest", "error"]
    head_coefficient: Annotated[list[CoefficientBand], Field(min_length=1)]

    @model_validator(mode="after")
    def _bands_descend(self) -> "PayRules":
        scores = [band.min_score for band in self.head_coefficient]
        if any(a <= b for a, b in zip(scores, scores[1:])):
            raise ValueError("pay.head_coefficient: list the bands from the highest min_score down")
        if self.management_roles and "head" not in self.management_roles:
            raise ValueError("pay.management_roles must include 'head' (deputies are paid relative to it)")
        return self

    def coefficient(self, score: float) -> float:
        """The head's bonus coefficient for a 1000-point score: the first band it reaches."""
        for band in self.head_coefficient:
            if score >= band.min_score:
                return band.coefficient
        return 0.0

    def lowest_coefficient(self) -> float:
        """The coefficient of the lowest band (a head without an assessment, by default)."""
        return self.head_coefficient[-1].coefficient


class ReportRules(_Model):
    history_dir: Annotated[str, Field(min_length=1)]


class Rules(_Model):
    """The whole rules file, validated."""

    input: InputRules
    aliases: dict[LedgerKind, dict[str, Words]]
    values: ValueWords
    roles: RoleRules
    validation: ValidationRules
    calendar: CalendarRules
    tiers: TierRules
    allocation: AllocationRules
    staffing: StaffingRules
    plan: PlanRules
    scoring: ScoringRules
    pay: PayRules
    report: ReportRules


def default_text() -> str:
    """The commented default rules file, as shipped."""
    return resources.files("branchkit").joinpath("defaults.toml").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _default_data() -> dict[str, Any]:
    return tomllib.loads(default_text())


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; anything else (numbers, lists, arrays of tables) is replaced."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _explain(exc: ValidationError, source: str) -> str:
    lines = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-after"))
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown key"
        elif err["type"] == "missing":
            message = "missing key"
        lines.append(f"{key or '(top)'}: {message}")
    return f"{source}: invalid rules: " + "; ".join(lines)


def load_rules(path: str | Path | None = None, base: Rules | None = None, *, trusted: bool = True) -> Rules:
    """The effective rules: ``base`` (default: the built-in defaults), deep-merged with the file at ``path``.

    With ``base`` a what-if file needs only the keys it changes relative to the rules of the run.
    A file that is not ``trusted`` (a ledger folder's own rules.toml: a folder is data) may lower the
    ``[input]`` limits but not raise them; a trusted file (given with ``--rules``) may raise them up to
    the ceilings of ``InputRules``.
    """
    data = _default_data() if base is None else rules_data(base)
    source = "built-in rules"
    if path is not None:
        path = Path(path)
        source = str(path)
        data = deep_merge(data, _read_file(path))
    try:
        rules = Rules.model_validate(data)
    except ValidationError as exc:
        raise RulesError(_explain(exc, source)) from None
    if not trusted:
        _no_raised_limits(rules, base or load_rules(), source)
    return rules


def _read_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RulesError(f"{path}: rules file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"{path}: cannot read the rules file: {exc}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:           # TOML's parser recurses once per level of nested arrays and tables
        raise RulesError(f"{path}: {_deepest(text)}: arrays or tables nested too deep") from None


def _deepest(text: str) -> str:
    """The line (and its key) that opens the most arrays and tables, for the message."""
    lines = text.splitlines() or [""]
    number = max(range(len(lines)), key=lambda i: lines[i].count("[") + lines[i].count("{"))
    line = lines[number]
    key = line.split("=", 1)[0].strip() if "=" in line else line.strip()[:40]
    return f"line {number + 1} ({key})"


def _no_raised_limits(rules: Rules, base: Rules, source: str) -> None:
    for key, limit in base.input.model_dump().items():
        value = getattr(rules.input, key)
        if value > limit:
            raise RulesError(f"{source}: input.{key}: a ledger folder's own rules may lower the [input] limits "
                             f"but not raise them ({value} > {limit}); give the file with --rules to raise it")


def rules_data(rules: Rules) -> dict[str, Any]:
    """The rules as plain data with TOML's key names (``from`` rather than ``from_``)."""
    return rules.model_dump(mode="python", by_alias=True, exclude_none=True)
