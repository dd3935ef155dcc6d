# ruff: noqa: E501  (SVG path data reads best on one line)
"""Illustrations of the demo content, drawn as small SVG files (no photographs to license):
a Tuscan landscape in colours derived from the slug, with a motif for the kind of content.
Run `manage.py draw_portal_images` to write them under static/portal/img/. Licence: CC0 1.0."""

import hashlib
from pathlib import Path

PALETTES = [
    ("#f6d8a8", "#e9a86b", "#7a8f4e", "#4f6b34"),
    ("#cfe3f1", "#9cc3de", "#8aa05a", "#556b2f"),
    ("#f3c9b8", "#d98c73", "#a08a5b", "#6b5a36"),
    ("#e6dcf3", "#b9a6d8", "#6f8f6a", "#42603f"),
    ("#fbe7b5", "#f0c36d", "#9aa85a", "#6a7a35"),
]

MOTIFS = {
    "tower": '<rect x="520" y="120" width="60" height="180" fill="{d}"/><circle cx="550" cy="110" r="34" fill="{c}"/>',
    "walls": '<path d="M0 260 L800 230 L800 300 L0 320Z" fill="{d}"/><path d="M0 250 L800 220" stroke="{c}" stroke-width="10"/>',
    "bell": '<rect x="540" y="90" width="70" height="210" fill="{d}"/><path d="M555 140 q20 -40 40 0 v20 h-40z" fill="#f4d35e"/>',
    "oak": '<rect x="560" y="200" width="24" height="100" fill="#5b3a1e"/><ellipse cx="572" cy="190" rx="150" ry="45" fill="{d}"/>',
    "flower": '<g fill="#c0392b"><circle cx="560" cy="170" r="28"/><circle cx="600" cy="190" r="28"/><circle cx="575" cy="215" r="28"/></g><circle cx="580" cy="192" r="12" fill="#f4d35e"/>',
    "cup": '<path d="M520 180 h110 v40 q0 50 -55 50 q-55 0 -55 -50z" fill="#fff8ee"/><path d="M630 195 q30 5 0 40" stroke="#fff8ee" stroke-width="10" fill="none"/>',
    "arches": "".join(
        f'<path d="M{x} 300 v-70 q15 -25 30 0 v70" fill="none" stroke="{{d}}" stroke-width="8"/>'
        for x in range(60, 780, 45)
    ),
    "paper": '<rect x="500" y="110" width="140" height="180" fill="#fffdf6" transform="rotate(-6 570 200)"/><path d="M520 160 h100 M520 190 h90 M520 220 h100" stroke="#c9b99a" stroke-width="4" transform="rotate(-6 570 200)"/>',
    "grapes": "".join(
        f'<circle cx="{560 + dx}" cy="{150 + dy}" r="16" fill="#6c2a5c"/>'
        for dx, dy in ((0, 0), (30, 0), (60, 0), (15, 26), (45, 26), (30, 52))
    ),
    "theatre": '<path d="M480 110 h200 v190 h-200z" fill="#7b1e1e"/><path d="M500 130 h160 v170 h-160z" fill="#f4d35e"/><path d="M500 130 q40 90 0 170 M660 130 q-40 90 0 170" fill="#a83232"/>',
    "candles": "".join(
        f'<rect x="{x}" y="220" width="10" height="40" fill="#fff8ee"/><ellipse cx="{x + 5}" cy="212" rx="6" ry="10" fill="#f9a825"/>'
        for x in range(420, 760, 40)
    ),
    "path": '<path d="M0 330 C200 280 400 320 800 250" stroke="#f1e3c6" stroke-width="18" fill="none"/><circle cx="620" cy="230" r="10" fill="{d}"/>',
    "bread": '<ellipse cx="580" cy="240" rx="100" ry="45" fill="#c68642"/><path d="M520 230 l20 -15 M560 225 l20 -15 M600 225 l20 -15" stroke="#8d5524" stroke-width="6"/>',
    "note": '<path d="M560 120 v120" stroke="{d}" stroke-width="10"/><ellipse cx="540" cy="245" rx="28" ry="20" fill="{d}"/><path d="M560 120 q50 10 40 60" stroke="{d}" stroke-width="10" fill="none"/>',
    "sun": "",
}

SLUG_MOTIF = {
    "volto-santo": "candles",
    "lucida-mansi": "tower",
    "la-smarrita": "bell",
    "pane-di-altopascio": "bread",
    "quercia-delle-streghe": "oak",
    "camelie-di-compito": "flower",
    "te-di-compito": "cup",
    "acquedotto-nottolini": "arches",
    "carta-di-villa-basilica": "paper",
    "vino-di-montecarlo": "grapes",
    "teatro-dei-rassicurati": "theatre",
    "luminara-di-santa-croce": "candles",
    "francigena-a-porcari": "path",
    "lucca": "walls",
    "capannori": "flower",
    "altopascio": "bell",
    "montecarlo": "grapes",
    "villa-basilica": "paper",
    "porcari": "path",
    "art-culture": "tower",
    "villas-gardens": "flower",
    "francigena-cycling": "path",
    "food-wine": "grapes",
    "crafts": "paper",
    "music-puccini": "note",
    "nature": "oak",
    "legends-traditions": "oak",
    "luminara-santa-croce": "candles",
    "palio-della-balestra": "walls",
    "lucca-summer-festival": "note",
    "murabilia": "flower",
    "lucca-comics-games": "tower",
    "puccini-ogni-sera": "note",
    "antiche-camelie": "flower",
    "festa-del-vino-montecarlo": "grapes",
    "festa-dell-aria": "sun",
    "cartiere-aperte": "paper",
    "francigena-in-festa": "bell",
    "walls-villas-paper": "walls",
    "francigena-two-days": "path",
}


def illustration(slug: str) -> str:
    digest = hashlib.sha256(slug.encode()).digest()
    sky, glow, hill, far = PALETTES[digest[0] % len(PALETTES)]
    motif = MOTIFS[SLUG_MOTIF.get(slug, "sun")].format(c=hill, d=far)
    sun_x = 120 + digest[1] % 200
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 800 400" width="800" height="400">'
        f'<defs><linearGradient id="s" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="{sky}"/>'
        f'<stop offset="1" stop-color="{glow}"/></linearGradient></defs>'
        '<rect width="800" height="400" fill="url(#s)"/>'
        f'<circle cx="{sun_x}" cy="90" r="42" fill="#fff6d5" opacity=".9"/>'
        f'<path d="M0 300 Q200 {200 + digest[2] % 60} 400 280 T800 {250 + digest[3] % 40} V400 H0Z" fill="{far}"/>'
        f"{motif}"
        f'<path d="M0 340 Q250 300 500 335 T800 320 V400 H0Z" fill="{hill}"/>'
        "</svg>\n"
    )


def draw_all(directory: Path, items: dict[str, list[str]]) -> int:
    written = 0
    for kind, slugs in items.items():
        (directory / kind).mkdir(parents=True, exist_ok=True)
        for slug in slugs:
            (directory / kind / f"{slug}.svg").write_text(illustration(slug), encoding="utf-8")
            written += 1
    return written
