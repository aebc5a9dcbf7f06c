"""Identifiers as core systems issue them: customer numbers, resident ID numbers,
unified social credit codes and mobile numbers, all as text with valid check digits."""

from __future__ import annotations

import numpy as np

# Resident ID (GB 11643): weights of the 17 digits and the check character by remainder.
_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_ID_CHECK = np.array(list("10X98765432"), dtype=object)
# Unified social credit code (GB 32100): its alphabet and weights.
_USCC_ALPHABET = np.array(list("0123456789ABCDEFGHJKLMNPQRTUWXY"), dtype=object)
_USCC_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])
_ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2])
# Administrative division codes of one province-sized region (江城 and around).
REGIONS = np.array([320102, 320104, 320105, 320106, 320111, 320113, 320114, 320115, 320116,
                    320117, 320118, 321002, 321003, 321012, 321023, 321081, 321084])
MOBILE_PREFIXES = np.array(["130", "131", "132", "133", "135", "136", "137", "138", "139", "150",
                            "151", "152", "155", "157", "158", "159", "166", "176", "177", "180",
                            "181", "182", "183", "186", "187", "188", "189", "191", "199"], dtype=object)


def zero_padded(values: np.ndarray, width: int) -> np.ndarray:
    """Integers as fixed-width text with leading zeros (object array of str)."""
    return np.char.zfill(np.asarray(values, dtype=np.int64).astype(str), width).astype(object)


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """(n, width) matrix of the decimal digits of ``values``, most significant first."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (np.asarray(values, dtype=np.int64)[:, None] // powers) % 10


def customer_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct 10-digit customer numbers, ascending; about half start with 0."""
    drawn = rng.choice(2_000_000_000, size=n, replace=False) + 10_000_000
    return zero_padded(np.sort(drawn), 10)


def resident_ids(rng: np.random.Generator, births: np.ndarray) -> np.ndarray:
    """18-character resident ID numbers for people born on ``births`` (datetime64[D])."""
    n = len(births)
    days = births.astype("datetime64[D]")
    year = days.astype("datetime64[Y]").astype(np.int64) + 1970
    month = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    yyyymmdd = year * 10000 + month * 100 + (days - days.astype("datetime64[M]")).astype(np.int64) + 1
    region = REGIONS[rng.integers(0, len(REGIONS), n)]
    body = region * 10**11 + yyyymmdd * 10**3 + rng.integers(1, 1000, n)
    check = _ID_CHECK[(_digits(body, 17) * _ID_WEIGHTS).sum(axis=1) % 11]
    return body.astype(str).astype(object) + check


def credit_codes(rng: np.random.Generator, n: int, kind: str = "91") -> np.ndarray:
    """18-character unified social credit codes (``91`` enterprises, ``93`` farmer cooperatives)."""
    region = _digits(REGIONS[rng.integers(0, len(REGIONS), n)], 6)
    org = rng.integers(0, 10, (n, 8))
    org_check = 11 - (org * _ORG_WEIGHTS).sum(axis=1) % 11
    # GB 11714: 10 is written X (value 29 in the credit-code alphabet), 11 is 0
    org_check = np.select([org_check == 10, org_check == 11], [29, 0], org_check)
    head = np.tile(np.array([int(kind[0]), int(kind[1])]), (n, 1))
    values = np.hstack([head, region, org, org_check[:, None]])
    check = (31 - (values * _USCC_WEIGHTS).sum(axis=1) % 31) % 31
    chars = _USCC_ALPHABET[np.hstack([values, check[:, None]])]
    return np.add.reduce(chars, axis=1)


def mobiles(rng: np.random.Generator, n: int) -> np.ndarray:
    """11-digit mainland mobile numbers."""
    prefix = MOBILE_PREFIXES[rng.integers(0, len(MOBILE_PREFIXES), n)]
    return prefix + zero_padded(rng.integers(0, 10**8, n), 8)
