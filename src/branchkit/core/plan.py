"""The monthly Gantt plan held against the visit records (DOMAIN §5).

Per relationship manager x customer, over the planned days up to the as-of date (default: the
month's last day; later planned days are ``not_due``):

- ``planned``: days with an action (any non-empty day cell). A slipped cell is a planned day:
  its action was planned for that day and slipped.
- ``slipped``: planned days marked slipped, whether or not the new date was kept; the mark wins
  over a visit on the old day (the manager's own record says the action moved).
- ``done_on_time``: planned days, not slipped, with a visit by that manager to that customer
  on that day.
- ``missed``: planned days neither done on time nor slipped, so that
  ``planned = done_on_time + slipped + missed``.
- ``slip_kept``: slipped days with a visit on their new date (on or before the as-of date). A slip
  whose new date is after the as-of date (later in the month when ``--as-of`` is earlier, or in a later
  month: 延迟至11月5日 in an October plan) is counted slipped and its keeping is not judged: it is not
  kept by the as-of date, and a note (``plan_slips_after_as_of``) says how many there are rather than
  let ``slipped - slip_kept`` read as slips not kept. Only new dates inside the month are drawn on the
  Gantt (a day of November has no column in October's).
- ``unplanned``: days with a visit by that manager to that customer that are neither planned
  nor a slip's new date (several visits on one day count once, as planned days do).
- ``adherence`` = done_on_time / planned (empty when nothing was due).

A visit matches a plan row by customer id or by customer name as ``people.customer_key`` reads it
(padding, full-width brackets and letters, case); a plan cell holding a customer's id is that id; the
id/name pairs the customer list, the plan and the visits write together give a name its id and an id its
name, so a plan written by name meets visits recorded by id (and the other way); pairs that disagree (one
id with two names, one name with two ids) are not used, and a note (``plan_customer_pairs_conflict``)
names them. Only visits by managers who drew a plan,
inside the month and up to the as-of date, and of the kinds in ``[plan] visit_kinds`` (or of
no kind) count. Everything is computed with merges on whole frames, never visit by visit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from branchkit.core.needs import Need, Needs
from branchkit.core.people import customer_key
from branchkit.core.visit_records import completeness, overdue, staff_names
from branchkit.problems import Note
from branchkit.rules import PlanRules, RelationshipTiers

SEP = "\x1f"
_VISIT_KINDS = ("outbound", "phone", "lobby")


def plan_needs(rules: PlanRules) -> Needs:
    """The columns plan adherence and the overdue list read (``core.needs``): with a customer list, its
    deposits decide the tiers whose cadence says who is overdue; loans and opening dates refine, and the
    visits' kind refines where the rules count only some kinds. Without visit records every planned day
    due is missed: that ledger refines."""
    overdue = ("visits", "customers")
    needs = [
        Need("visits", None, False, "visit records: every planned day due counts as missed",
             "拜访记录：所有到期的计划天数均计为未完成", given=("plan",)),
        Need("customers", "deposit", True, "relationship tiers, whose visit cadence says who is overdue",
             "关系层级（按层级的拜访频率判断逾期未拜访）", given=overdue),
        Need("customers", "loan", False, "loans: tiers for the visit cadence on deposits alone",
             "贷款余额：拜访频率所用层级只看存款", given=overdue),
        Need("customers", "open_date", False,
             "opening dates: a customer never visited is counted from the first day the visit records cover",
             "开户日期：从未拜访的客户从拜访记录的第一天起算", given=overdue),
    ]
    if set(_VISIT_KINDS) - set(rules.visit_kinds):
        needs.append(Need("visits", "kind", False, "visit kinds: every visit carries out a planned day, whatever "
                          f"its kind (the rules count only {', '.join(rules.visit_kinds)})",
                          "拜访方式：所有拜访记录均计入计划执行", given=("plan", "visits")))
    return Needs("plan", tuple(needs))
COUNTS = ["planned", "done_on_time", "slipped", "slip_kept", "missed", "unplanned"]
#: Cell states of the redrawn Gantt (the keys of ``io.charts.GANTT_COLORS``).
STATES = ("planned", "done", "slip_kept", "slipped", "missed", "unplanned")
VISIT_MARK = "✓"


@dataclass
class Window:
    """The month computed and the as-of date inside it."""

    month: pd.Period
    as_of: pd.Timestamp

    @property
    def start(self) -> pd.Timestamp:
        return self.month.start_time.normalize()

    @property
    def end(self) -> pd.Timestamp:
        return self.month.end_time.normalize()

    @classmethod
    def of(cls, month: str | pd.Period, as_of: object = None) -> "Window":
        """The month's window; ``as_of`` defaults to the month's last day and must fall inside it."""
        period = pd.Period(month, freq="M")
        day = period.end_time.normalize() if as_of is None else pd.Timestamp(as_of).normalize()
        if not period.start_time <= day <= period.end_time:
            raise ValueError(f"the as-of date {day.date()} is not in {period}")
        return cls(period, day)


@dataclass
class PlanResult:
    """Everything ``branchkit plan`` reports."""

    window: Window
    adherence: pd.DataFrame          # manager x customer
    managers: pd.DataFrame           # manager
    days: pd.DataFrame               # manager x customer x day: the redrawn Gantt's cells
    completeness: pd.DataFrame       # visitor
    overdue: pd.DataFrame            # customer
    notes: list[str] = field(default_factory=list)


def hold_plan(plan: pd.DataFrame, visits: pd.DataFrame, window: Window, rules: PlanRules,
              tiers: RelationshipTiers, *, staff: pd.DataFrame | None = None,
              customers: pd.DataFrame | None = None) -> PlanResult:
    """Adherence, the Gantt's cells, visit-record completeness and overdue customers."""
    plan, visits, clash = match_customers(plan, visits, customers)
    plan = plan[(plan["date"] >= window.start) & (plan["date"] <= window.end)]
    days = gantt_days(plan, counted_visits(visits, plan, window, rules), window)
    people = staff_names(staff, pd.concat([plan["staff_id"], visits["staff_id"]]))
    who = _customer_names(plan, visits)
    adherence = adherence_table(days, plan, who, people)
    notes = _notes(plan, visits, staff, customers, window, rules) + ([clash] if clash is not None else [])
    return PlanResult(window, adherence, manager_table(adherence, people), _named_days(days, who),
                      completeness(visits, window, rules.completeness, staff),
                      overdue(visits, customers, who, window.as_of, rules.cadence_days, tiers, staff), notes)


def match_customers(plan: pd.DataFrame, visits: pd.DataFrame, customers: pd.DataFrame | None
                    ) -> tuple[pd.DataFrame, pd.DataFrame, Note | None]:
    """Give plan rows and visits a customer key (``ckey``) so that a visit meets its plan row; and the
    note (``plan_customer_pairs_conflict``) naming the id/name pairs that disagree, if any matter.

    A name cell holding an id (of the customer list, the visits' or the plan's id column) is that id.
    The id/name pairs written together (on the customer list, plan rows and visits) give a row written
    by name alone its id and one written by id alone its name, so a plan written by name meets visits
    recorded by id; a pair that disagrees with another (one id with two names, one name with two ids,
    names read by ``people.customer_key``) is not used: those rows meet by what they wrote. Names meet by
    ``people.customer_key`` (padding, full-width brackets and letters, case); the names shown stay as
    written."""
    listed = _listed(customers)
    plan, visits = _trimmed(plan.copy()), _trimmed(visits.copy())
    ids = pd.concat([listed["customer_id"], plan["customer_id"], visits["customer_id"]]).dropna().unique()
    plan, visits = _ids_written_as_names(plan, ids), _ids_written_as_names(visits, ids)
    pairs = pd.concat([listed, plan[["customer_id", "customer_name"]], visits[["customer_id", "customer_name"]]],
                      ignore_index=True).dropna()
    pairs = pairs.assign(key=customer_key(pairs["customer_name"])).drop_duplicates(["customer_id", "key"])
    clash = pairs["customer_id"].duplicated(keep=False) | pairs["key"].duplicated(keep=False)
    good = pairs[~clash]
    id_of_key = _lookup(good["key"], good["customer_id"])
    name_of_id = _lookup(good["customer_id"], good["customer_name"])
    note = _clash_note(pairs[clash], plan, visits)
    for frame in (plan, visits):
        frame["customer_id"] = frame["customer_id"].fillna(_map(customer_key(frame["customer_name"]), id_of_key))
        frame["customer_name"] = frame["customer_name"].fillna(_map(frame["customer_id"], name_of_id))
    plan_name, visit_name = customer_key(plan["customer_name"]), customer_key(visits["customer_name"])
    staff_name = plan["staff_id"] + SEP + plan_name
    plan["ckey"] = ("id" + SEP + plan["customer_id"]).fillna("nm" + SEP + plan_name)
    by_id = _lookup(plan["staff_id"] + SEP + plan["customer_id"], plan["ckey"])
    # A name meets the plan row of that manager written with it: the row written by that name alone when
    # there is one, else the one row of ids it names (two ids under one name: neither).
    named = pd.DataFrame({"at": staff_name, "ckey": plan["ckey"]}).dropna().drop_duplicates()
    exact = named["ckey"] == "nm" + SEP + plan_name[named.index]
    named = pd.concat([named[exact], named[~named["at"].duplicated(keep=False)]])
    by_name = _lookup(named["at"], named["ckey"])
    key = _map(visits["staff_id"] + SEP + visits["customer_id"], by_id)
    key = key.fillna(_map(visits["staff_id"] + SEP + visit_name, by_name))
    visits["ckey"] = key.fillna("id" + SEP + visits["customer_id"]).fillna("nm" + SEP + visit_name)
    return plan, visits, note


def _listed(customers: pd.DataFrame | None) -> pd.DataFrame:
    """The customer list's ids and names (``customer_id``, ``customer_name``), trimmed; none without a list.
    The two columns only (taking every column of a 100,000-row list to drop rows cost seconds in a
    network's report)."""
    if customers is None or not len(customers):
        return pd.DataFrame({"customer_id": pd.Series(dtype="str"), "customer_name": pd.Series(dtype="str")})
    listed = customers[["customer_id", "name"]].rename(columns={"name": "customer_name"})
    return _trimmed(listed).dropna(subset=["customer_id"])


def _trimmed(frame: pd.DataFrame) -> pd.DataFrame:
    """Ids and names as text, spaces (and full-width ones) trimmed, empty as missing."""
    for column in ("customer_id", "customer_name"):
        frame[column] = frame[column].astype("str").str.strip().str.strip("\u3000").replace("", pd.NA)
    return frame


def _ids_written_as_names(frame: pd.DataFrame, ids: np.ndarray) -> pd.DataFrame:
    """Rows without an id whose name is one of ``ids`` (a plan's customer cell holding 1770513062): that
    id, and no name."""
    moved = frame["customer_id"].isna() & frame["customer_name"].isin(ids)
    if moved.any():
        frame["customer_id"] = frame["customer_id"].mask(moved, frame["customer_name"])
        frame["customer_name"] = frame["customer_name"].mask(moved, pd.NA)
    return frame


_CLASHES_SHOWN = 10


def _clash_note(clash: pd.DataFrame, plan: pd.DataFrame, visits: pd.DataFrame) -> Note | None:
    """The note naming id/name pairs that disagree, where a plan row or visit written by one of their ids
    or names alone would have used them (a customer list's two customers of one name, never looked for, go
    unsaid). Each shown as ``id=name``, sorted, the first ``_CLASHES_SHOWN``."""
    if clash.empty:
        return None
    rows = pd.concat([plan[["customer_id", "customer_name"]], visits[["customer_id", "customer_name"]]])
    alone_ids = rows.loc[rows["customer_name"].isna(), "customer_id"].dropna()
    alone_keys = customer_key(rows.loc[rows["customer_id"].isna(), "customer_name"].dropna())
    wanted = clash["customer_id"].isin(alone_ids) | clash["key"].isin(alone_keys)
    if not wanted.any():
        return None
    hit = clash[wanted]
    shown = clash[clash["customer_id"].isin(hit["customer_id"]) | clash["key"].isin(hit["key"])]
    texts = sorted(set(shown["customer_id"] + "=" + shown["customer_name"]))
    more = len(texts) - _CLASHES_SHOWN
    return Note.of("plan_customer_pairs_conflict", count=len(texts),
                   pairs=tuple(texts[:_CLASHES_SHOWN]) + ((f"… (+{more})",) if more > 0 else ()))


def _lookup(keys: pd.Series, values: pd.Series) -> pd.Series:
    """A mapping Series from keys to text values (first value of a key; null keys and values dropped)."""
    table = pd.Series(values.to_numpy(), index=keys.to_numpy(), dtype="str")
    table = table[table.index.notna() & table.notna()]
    return table[~table.index.duplicated()]


def _map(keys: pd.Series, table: pd.Series) -> pd.Series:
    """``keys`` looked up in ``table``, as text (null where absent)."""
    return keys.map(table).astype("str")


def counted_visits(visits: pd.DataFrame, plan: pd.DataFrame, window: Window, rules: PlanRules) -> pd.DataFrame:
    """Distinct (manager, customer, day) of visits that count: by plan managers, in the window."""
    kinds = visits["kind"].isna() | visits["kind"].isin(rules.visit_kinds) if "kind" in visits else True
    inside = (visits["visit_date"] >= window.start) & (visits["visit_date"] <= window.as_of)
    mine = visits["staff_id"].isin(plan["staff_id"].dropna().unique())
    chosen = visits[kinds & inside & mine]
    return chosen[["staff_id", "ckey", "visit_date"]].rename(columns={"visit_date": "date"}).drop_duplicates()


def gantt_days(plan: pd.DataFrame, visit_days: pd.DataFrame, window: Window) -> pd.DataFrame:
    """One row per (manager, customer, day) the Gantt shows: planned days with their state, slips'
    new dates, and unplanned visits. Columns: staff_id, ckey, date, role (plan/slip_to/visit),
    state (a key of ``STATES`` or null), text, and the per-day flags the counts are made of."""
    keys = ["staff_id", "ckey", "date"]
    slipped = plan["slipped"].fillna(False).astype(bool) | plan["slipped_to"].notna()
    grouped = plan.assign(slipped=slipped).groupby(keys, sort=False, dropna=False)
    planned = grouped.agg(slipped=("slipped", "any"), slipped_to=("slipped_to", "min")).reset_index()
    planned.insert(len(keys), "action", joined_per_group(plan["action"], grouped.ngroup(), len(planned)))
    visited = visit_days.assign(visited=True)
    planned = planned.merge(visited, on=keys, how="left")
    planned["visited"] = planned["visited"].astype("boolean").fillna(False).astype(bool)
    target = visited.rename(columns={"date": "slipped_to", "visited": "kept"})
    planned = planned.merge(target, on=["staff_id", "ckey", "slipped_to"], how="left")
    planned["due"] = planned["date"] <= window.as_of
    planned["kept"] = planned["kept"].astype("boolean").fillna(False).astype(bool) & planned["slipped"] & planned["due"]
    planned["state"] = np.select(
        [~planned["due"], planned["slipped"], planned["visited"]], ["planned", "slipped", "done"], "missed")
    planned = planned.assign(role="plan", text=planned["action"])
    moved = _slip_targets(planned, keys, window)
    extra = visited.merge(pd.concat([planned[keys], moved[keys]]).drop_duplicates(), on=keys, how="left",
                          indicator=True)
    unplanned = extra[extra["_merge"] == "left_only"].drop(columns=["_merge", "visited"]).assign(
        role="visit", state="unplanned", text=VISIT_MARK)
    days = pd.concat([planned, moved, unplanned], ignore_index=True)
    return days.sort_values(keys, kind="stable").reset_index(drop=True)


def _slip_targets(planned: pd.DataFrame, keys: list[str], window: Window) -> pd.DataFrame:
    """The new dates in the month of slips that are not planned days themselves: kept, or just noted
    (←8). A new date in a later month is not one of the month's days: its planned day's text says it."""
    slips = planned[planned["slipped"] & (planned["slipped_to"] <= window.end)]
    moved = slips.assign(text="←" + slips["date"].dt.day.astype("str"), date=slips["slipped_to"])
    grouped = moved.groupby(keys, sort=False)
    texts = joined_per_group(moved["text"], grouped.ngroup(), grouped.ngroups)
    moved = grouped.agg(kept=("kept", "any")).reset_index()
    moved.insert(len(keys), "text", texts)
    moved = moved.merge(planned[keys], on=keys, how="left", indicator=True)
    moved = moved[moved["_merge"] == "left_only"].drop(columns="_merge")
    return moved.assign(role="slip_to", state=np.where(moved["kept"], "slip_kept", None))


def joined_per_group(values: pd.Series, group: pd.Series, groups: int) -> pd.Series:
    """Per group (``group``: each row's group number as ``ngroup`` gives them, missing or -1 for none),
    its distinct present values as text in the order first seen, joined by ``；``; missing where it has
    none. Whole columns: a group with one distinct value (nearly all) takes it as it is; only groups with
    several are joined one by one (a groupby-agg of a Python function cost 1.4 s over 200 branches' plans)."""
    out = pd.Series([None] * groups, dtype="str")
    numbers = group.fillna(-1).to_numpy(dtype="int64")
    present = values.notna().to_numpy() & (numbers >= 0)
    seen = pd.DataFrame({"group": numbers[present],
                         "text": values[present].astype("str").to_numpy()}).drop_duplicates()
    several = seen["group"].duplicated(keep=False).to_numpy()
    single = seen[~several]
    out.iloc[single["group"].to_numpy()] = single["text"].to_numpy()
    many = seen[several]
    if len(many):
        joined = {g: "；".join(texts) for g, texts in many.groupby("group", sort=False)["text"]}
        out.iloc[list(joined)] = list(joined.values())
    return out


def adherence_table(days: pd.DataFrame, plan: pd.DataFrame, who: pd.DataFrame,
                    people: pd.DataFrame) -> pd.DataFrame:
    """The counts per manager x customer, in the plan's order (customers only visited come last)."""
    flags = pd.DataFrame({
        "staff_id": days["staff_id"], "ckey": days["ckey"],
        "planned": (days["role"] == "plan") & days["due"].fillna(False).astype(bool),
        "done_on_time": days["state"] == "done", "slipped": days["state"] == "slipped",
        "slip_kept": (days["role"] == "plan") & days["kept"].fillna(False).astype(bool),
        "missed": days["state"] == "missed", "unplanned": days["state"] == "unplanned",
        "not_due": (days["role"] == "plan") & ~days["due"].fillna(True).astype(bool),
    })
    counts = flags.groupby(["staff_id", "ckey"], sort=False).sum().astype("int64").reset_index()
    keys = ["staff_id", "ckey"]
    order = plan.sort_values("_rid", kind="stable").drop_duplicates(keys)[keys]
    rows = pd.concat([order, counts[keys]]).drop_duplicates(keys).merge(counts, how="left", on=keys)
    grouped = plan.groupby(keys, sort=False)
    goals = grouped.size().reset_index()[keys]
    goals["goal"] = joined_per_group(plan["goal"], grouped.ngroup(), len(goals))
    rows = rows.merge(goals, how="left", on=keys)
    rank = {s: i for i, s in enumerate(pd.concat([order["staff_id"], rows["staff_id"]]).unique())}
    rows = rows.sort_values("staff_id", key=lambda s: s.map(rank), kind="stable")
    rows[COUNTS + ["not_due"]] = rows[COUNTS + ["not_due"]].fillna(0).astype("int64")
    rows = rows.merge(who, how="left", on="ckey").merge(people, how="left", on="staff_id")
    rows["adherence"] = (rows["done_on_time"] / rows["planned"].where(rows["planned"] > 0)).astype("float64")
    return rows[["staff_id", "staff_name", "branch", "customer_id", "customer", "goal", *COUNTS,
                 "adherence", "not_due", "ckey"]].reset_index(drop=True)


def manager_table(adherence: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """The counts per manager, adherence over all their planned days."""
    sums = adherence.groupby("staff_id", sort=False)[COUNTS + ["not_due"]].sum()
    sums.insert(0, "customers", adherence.groupby("staff_id", sort=False)["ckey"].nunique())
    sums["adherence"] = (sums["done_on_time"] / sums["planned"].where(sums["planned"] > 0)).astype("float64")
    out = sums.reset_index().merge(people, how="left", on="staff_id")
    return out[["staff_id", "staff_name", "branch", "customers", *COUNTS, "adherence", "not_due"]]


def _customer_names(plan: pd.DataFrame, visits: pd.DataFrame) -> pd.DataFrame:
    both = pd.concat([plan[["ckey", "customer_id", "customer_name"]], visits[["ckey", "customer_id", "customer_name"]]])
    who = both.groupby("ckey", sort=False).first().reset_index()
    who["customer"] = who["customer_name"].fillna(who["customer_id"])
    return who[["ckey", "customer_id", "customer"]]


def _named_days(days: pd.DataFrame, who: pd.DataFrame) -> pd.DataFrame:
    out = days.merge(who, how="left", on="ckey")
    return out[["staff_id", "ckey", "customer_id", "customer", "date", "role", "state", "text"]]


def _notes(plan: pd.DataFrame, visits: pd.DataFrame, staff: pd.DataFrame | None,
           customers: pd.DataFrame | None, window: Window, rules: PlanRules) -> list[str]:
    notes = []
    if staff is None:
        notes.append(Note.of("plan_no_staff"))
    if customers is None:
        notes.append(Note.of("plan_no_customers", days=rules.cadence_days.get("general", 0)))
    planners = plan["staff_id"].dropna().unique()
    silent = sorted(set(planners) - set(visits["staff_id"].dropna().unique()))
    if silent and len(visits):
        notes.append(Note.of("plan_silent_managers", names=tuple(silent)))
    if window.as_of < window.end:
        notes.append(Note.of("plan_as_of", as_of=window.as_of.date().isoformat()))
    later = plan[(plan["date"] <= window.as_of) & (plan["slipped_to"] > window.as_of)]
    later = later.drop_duplicates(["staff_id", "ckey", "date"])
    if len(later):
        notes.append(Note.of("plan_slips_after_as_of", count=len(later), as_of=window.as_of.date().isoformat(),
                             last=later["slipped_to"].max().date().isoformat()))
    return notes

