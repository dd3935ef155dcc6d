"""The pre-aggregated tables the dashboards read: rebuilt for the comune-years an import
touched, in the import's transaction."""

from django.db.models import Count, Q, Sum

from .models import AccommodationType, MovementMarketYear, MovementMonth, MovementRow


def rebuild(*, keys: set[tuple[int, int]]) -> None:
    for comune_id, year in sorted(keys):
        rows = MovementRow.objects.filter(comune_id=comune_id, year=year)
        MovementMonth.objects.filter(comune_id=comune_id, year=year).delete()
        MovementMarketYear.objects.filter(comune_id=comune_id, year=year).delete()
        foreign = ~Q(origin__startswith="IT-")
        months = rows.values("month").annotate(
            a=Sum("arrivals"),
            p=Sum("presences"),
            fa=Sum("arrivals", filter=foreign),
            fp=Sum("presences", filter=foreign),
            hp=Sum("presences", filter=Q(accommodation_type=AccommodationType.HOTEL)),
            demo=Count("pk", filter=Q(is_demo=True)),
        )
        MovementMonth.objects.bulk_create(
            [
                MovementMonth(
                    comune_id=comune_id,
                    year=year,
                    month=m["month"],
                    arrivals=m["a"] or 0,
                    presences=m["p"] or 0,
                    foreign_arrivals=m["fa"] or 0,
                    foreign_presences=m["fp"] or 0,
                    hotel_presences=m["hp"] or 0,
                    is_demo=bool(m["demo"]),
                )
                for m in months
            ]
        )
        markets = rows.values("origin").annotate(a=Sum("arrivals"), p=Sum("presences"))
        MovementMarketYear.objects.bulk_create(
            [
                MovementMarketYear(
                    comune_id=comune_id,
                    year=year,
                    origin=m["origin"],
                    arrivals=m["a"],
                    presences=m["p"],
                )
                for m in markets
            ],
            batch_size=2000,
        )
