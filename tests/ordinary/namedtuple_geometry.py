from collections import namedtuple
from typing import NamedTuple
import math

class Point(namedtuple("Point", "x y")):
    __slots__ = ()
    @property
    def norm(self):
        return math.hypot(self.x, self.y)
    def __add__(self, other):
        return Point(self.x + other.x, self.y + other.y)
    def __str__(self):
        return f"({self.x:g}, {self.y:g})"

class Segment(NamedTuple):
    start: Point
    end: Point
    label: str = "seg"
    @property
    def length(self) -> float:
        return math.dist(self.start, self.end)
    def midpoint(self) -> Point:
        return Point((self.start.x + self.end.x) / 2, (self.start.y + self.end.y) / 2)

Color = namedtuple("Color", ["r", "g", "b", "alpha"], defaults=[1.0])
Weird = namedtuple("Weird", ["ok", "def", "ok", "_x"], rename=True)
p, q = Point(3, 4), Point(-1, 1)
print(p, repr(p), p.norm, p + q, p._replace(y=0), Point._make([5, 12]).norm, p._asdict())
x, y = p
print(x, y, p[0], p == (3, 4), len(p), p.count(3), Point._fields, hasattr(p, "__dict__"))
s = Segment(Point(0, 0), Point(6, 8))
print(s, s.length, s.midpoint(), s._replace(label="diag").label, Segment._field_defaults)
print(Segment._fields, list(Segment.__annotations__), s._asdict()["end"])
print(Color(255, 0, 0), Color._field_defaults, Color(0, 0, 0, 0.5).alpha, Weird._fields)

def polygon_area(points):
    return abs(sum(a.x * b.y - b.x * a.y for a, b in zip(points, points[1:] + points[:1]))) / 2

def centroid(points):
    n = len(points)
    return Point(sum(p.x for p in points) / n, sum(p.y for p in points) / n)

def convex_hull(points):
    pts = sorted(set(points))
    def cross(o, a, b):
        return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x)
    lower, upper = [], []
    for seq, out in ((pts, lower), (reversed(pts), upper)):
        for pt in seq:
            while len(out) >= 2 and cross(out[-2], out[-1], pt) <= 0:
                out.pop()
            out.append(pt)
    return lower[:-1] + upper[:-1]

square = [Point(0, 0), Point(4, 0), Point(4, 4), Point(0, 4)]
print(polygon_area(square), centroid(square), [str(pt) for pt in convex_hull(square + [Point(2, 2), Point(1, 3)])])
cloud = [Point(math.cos(k) * k % 5, math.sin(k * 2) * 3) for k in range(12)]
hull = convex_hull(cloud)
print(len(hull), round(polygon_area(hull), 4), str(centroid(hull)))
angles = sorted(cloud, key=lambda pt: math.atan2(pt.y, pt.x))
print(round(math.degrees(math.atan2(angles[0].y, angles[0].x)), 2), min(cloud, key=lambda pt: pt.norm).norm < 1)

def classify(seg):
    match seg:
        case Segment(Point(x1, _), Point(x2, _)) if x1 == x2:
            return "vertical"
        case Segment(start=Point(y=y1), end=Point(y=y2)) if y1 == y2:
            return "horizontal"
        case Segment(label=lbl):
            return f"sloped {lbl}"

print([classify(Segment(a, b)) for a, b in [(Point(1, 0), Point(1, 5)), (Point(0, 2), Point(9, 2)), (Point(0, 0), Point(1, 1))]])
print(isinstance(s, tuple), Segment.__mro__[1].__name__, type(p).__bases__[0].__name__)
