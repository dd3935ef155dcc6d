"""A realistic, generated movement data set for the demo and the benchmark, scaled on the
published figures (docs: shared DOMAIN.md): Lucca 2023 349,703 arrivals and 934,184
presences; 72.6% foreign; 69.1% of presences outside hotels; 73% of presences April-October.
Every row it makes is marked as demo when imported."""

import csv
import io
import random

# comune ISTAT code -> share of the Piana's presences
COMUNE_SHARE = {
    "046017": 0.64,
    "046007": 0.17,
    "046001": 0.06,
    "046021": 0.05,
    "046026": 0.06,
    "046034": 0.02,
}
PIANA_PRESENCES_2023 = 934_184 / 0.64
GROWTH = {2023: 1.0, 2024: 1.04, 2025: 1.07}
MONTH_SHARE = [0.045, 0.045, 0.065, 0.09, 0.105, 0.11, 0.115, 0.11, 0.11, 0.09, 0.055, 0.06]
FOREIGN = {
    "US": 12,
    "DE": 11,
    "GB": 8,
    "FR": 8,
    "NL": 5,
    "ES": 3,
    "CH": 3,
    "AT": 2,
    "BE": 2,
    "PL": 2,
    "AU": 2,
    "CA": 2,
    "BR": 1.5,
    "JP": 1,
    "CN": 1,
    "SE": 1,
    "DK": 1,
    "NO": 0.8,
    "IE": 0.8,
    "CZ": 0.7,
    "KR": 0.6,
    "IL": 0.5,
    "AR": 0.5,
    "MX": 0.5,
}
ITALIAN = {
    "IT-25": 6,
    "IT-62": 4,
    "IT-52": 5,
    "IT-45": 3,
    "IT-21": 2.5,
    "IT-34": 2,
    "IT-72": 1.5,
    "IT-42": 1.5,
    "IT-75": 0.8,
    "IT-82": 0.6,
}
FOREIGN_SHARE = 0.726
HOTEL_SHARE = 0.309
STAY = {"alberghiero": 2.2, "extralberghiero": 2.9}


def market_weights(origins: dict | None = None) -> dict[str, float]:
    if origins is not None:
        return origins
    f_total, i_total = sum(FOREIGN.values()), sum(ITALIAN.values())
    weights = {k: FOREIGN_SHARE * v / f_total for k, v in FOREIGN.items()}
    weights.update({k: (1 - FOREIGN_SHARE) * v / i_total for k, v in ITALIAN.items()})
    return weights


def generate_rows(*, years, origins: dict | None = None, seed: int = 2023, growth=None):
    """Yield (anno, mese, comune_istat, tipo_esercizio, residenza, arrivi, presenze)."""
    rng = random.Random(seed)
    weights = market_weights(origins)
    growth = growth or GROWTH
    for year in years:
        for month in range(1, 13):
            for istat, share in COMUNE_SHARE.items():
                base = PIANA_PRESENCES_2023 * growth.get(year, 1.0) * share * MONTH_SHARE[month - 1]
                for kind, kshare in (
                    ("alberghiero", HOTEL_SHARE),
                    ("extralberghiero", 1 - HOTEL_SHARE),
                ):
                    for origin, weight in weights.items():
                        presences = round(base * kshare * weight * rng.uniform(0.85, 1.15))
                        if presences <= 0:
                            continue
                        stay = STAY[kind] * rng.uniform(0.85, 1.15)
                        arrivals = max(1, min(presences, round(presences / stay)))
                        yield (year, month, istat, kind, origin, arrivals, presences)


def to_csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        ["anno", "mese", "comune_istat", "tipo_esercizio", "residenza", "arrivi", "presenze"]
    )
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
