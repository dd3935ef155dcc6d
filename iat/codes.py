"""Origin code lists of the contact log and the movement data, from real code lists:
foreign countries by ISO 3166-1 alpha-2 ("DE"), Italian regions and provinces by
ISO 3166-2:IT ("IT-52" Toscana, "IT-LU" Lucca), both from the `pycountry` package."""

from functools import lru_cache

import pycountry

ITALY = "IT"
_PROVINCE_TYPES = {
    "Province",
    "Metropolitan city",
    "Free municipal consortium",
    "Autonomous province",
    "Decentralized regional entity",
}
_REGION_TYPES = {"Region", "Autonomous region"}


@lru_cache(maxsize=1)
def origins() -> dict[str, str]:
    """Every valid origin code with its label (Italian places first by region)."""
    codes: dict[str, str] = {}
    for sub in sorted(pycountry.subdivisions.get(country_code=ITALY), key=lambda s: s.code):
        if sub.type in _REGION_TYPES or sub.type in _PROVINCE_TYPES:
            codes[sub.code] = f"{sub.name} (IT)"
    for country in sorted(pycountry.countries, key=lambda c: c.name):
        if country.alpha_2 != ITALY:
            codes[country.alpha_2] = country.name
    return codes


@lru_cache(maxsize=1)
def _region_of_province() -> dict[str, str]:
    out = {}
    for sub in pycountry.subdivisions.get(country_code=ITALY):
        if sub.type in _PROVINCE_TYPES and sub.parent_code:
            out[sub.code] = sub.parent_code
    return out


def is_valid_origin(code: str) -> bool:
    return code in origins()


def is_italian(code: str) -> bool:
    return code.startswith("IT-")


def origin_label(code: str) -> str:
    return origins().get(code, code)


def region_of(code: str) -> str:
    """The region of an Italian province code; a region or a country is returned unchanged."""
    return _region_of_province().get(code, code)


def normalise_origin(raw: str) -> str:
    """Accept "de", "DE", "IT-LU", or a datalist choice "IT-LU · Lucca (IT)"; return the code
    or "" when it is not in the lists. Two letters are always a country (LU is Luxembourg)."""
    code = (raw or "").split("·")[0].strip().upper()
    return code if code in origins() else ""


@lru_cache(maxsize=1)
def datalist_options() -> str:
    """The <option> list of every origin, built once (a template loop over 370 codes costs
    more than the whole dashboard's queries)."""
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    return mark_safe(
        "".join(f'<option value="{code} · {escape(label)}">' for code, label in origins().items())
    )
