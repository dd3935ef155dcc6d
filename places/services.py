from decimal import Decimal

from .models import Comune

PIANA_DI_LUCCA_COMUNI = [
    # name, ISTAT, cadastral, latitude, longitude
    ("Altopascio", "046001", "A241", "43.8162", "10.6769"),
    ("Capannori", "046007", "B648", "43.8425", "10.5729"),
    ("Lucca", "046017", "E715", "43.8430", "10.5079"),
    ("Montecarlo", "046021", "F452", "43.8514", "10.6683"),
    ("Porcari", "046026", "G882", "43.8385", "10.6157"),
    ("Villa Basilica", "046034", "L913", "43.9284", "10.6452"),
]


def comuni_ensure_piana() -> list[Comune]:
    """Create or update the six comuni of the Piana di Lucca; idempotent."""
    comuni = []
    for name, istat, cadastral, lat, lng in PIANA_DI_LUCCA_COMUNI:
        comune, _ = Comune.objects.update_or_create(
            istat_code=istat,
            defaults={
                "name": name,
                "cadastral_code": cadastral,
                "province": "LU",
                "in_destination": True,
                "latitude": Decimal(lat),
                "longitude": Decimal(lng),
            },
        )
        comuni.append(comune)
    return comuni
