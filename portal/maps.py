"""A route map drawn as inline SVG from the places' coordinates: no tiles, no network, no
JavaScript. The six comuni are drawn faintly for orientation; each day has its colour."""

import math
from dataclasses import dataclass

DAY_COLOURS = ["#9b2c2c", "#2b6cb0", "#2f855a", "#b7791f", "#6b46c1"]


@dataclass
class MapPoint:
    x: float
    y: float
    label: str
    number: int = 0
    day: int = 0
    colour: str = ""


@dataclass
class RouteMap:
    width: int
    height: int
    points: list
    landmarks: list
    lines: list  # (colour, "x1,y1 x2,y2 ...") per day
    days: list  # (day, colour)


def route_map(stops, *, landmarks=(), width: int = 640, height: int = 420, pad: int = 48):
    """`stops`: objects with day, place (latitude, longitude, name); `landmarks`: comuni."""
    coords = [(float(s.place.latitude), float(s.place.longitude)) for s in stops]
    marks = [
        (float(c.latitude), float(c.longitude), c.name)
        for c in landmarks
        if c.latitude is not None and c.longitude is not None
    ]
    everything = coords + [(lat, lon) for lat, lon, _ in marks]
    if not everything:
        return None
    lats = [lat for lat, _ in everything]
    lons = [lon for _, lon in everything]
    mid_lat = math.radians(sum(lats) / len(lats))
    # Equirectangular projection: good enough at the scale of a plain 30 km wide.
    xs = [lon * math.cos(mid_lat) for lon in lons]
    span_x = max(max(xs) - min(xs), 1e-4)
    span_y = max(max(lats) - min(lats), 1e-4)
    scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)
    off_x = (width - scale * span_x) / 2
    off_y = (height - scale * span_y) / 2

    def project(lat, lon):
        x = off_x + (lon * math.cos(mid_lat) - min(xs)) * scale
        y = height - (off_y + (lat - min(lats)) * scale)
        return round(x, 1), round(y, 1)

    points, by_day = [], {}
    for number, stop in enumerate(stops, start=1):
        x, y = project(float(stop.place.latitude), float(stop.place.longitude))
        colour = DAY_COLOURS[(stop.day - 1) % len(DAY_COLOURS)]
        points.append(MapPoint(x, y, stop.place.name, number, stop.day, colour))
        by_day.setdefault(stop.day, []).append(f"{x},{y}")
    lines, previous = [], None
    for day, pts in sorted(by_day.items()):
        colour = DAY_COLOURS[(day - 1) % len(DAY_COLOURS)]
        lines.append((colour, " ".join(([previous] if previous else []) + pts)))
        previous = pts[-1]
    landmark_points = [MapPoint(*project(lat, lon), label=name) for lat, lon, name in marks]
    days = [(day, DAY_COLOURS[(day - 1) % len(DAY_COLOURS)]) for day in sorted(by_day)]
    return RouteMap(width, height, points, landmark_points, lines, days)
