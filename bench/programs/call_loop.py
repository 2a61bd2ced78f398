# A call-heavy benign program for the guard-overhead benchmark: methods
# calling methods on objects handed around, subclasses, closures and
# callbacks (sort keys, map), and library calls in the loop (math,
# collections), all in interpreted loops.
import collections
import math


class Shape:
    def __init__(self, name):
        self.name = name
        self._hits = 0

    def touch(self):
        self._hits += 1
        return self._hits


class Circle(Shape):
    def __init__(self, r):
        super().__init__("circle")
        self.r = r

    def area(self):
        return math.pi * self.r * self.r

    def scaled(self, k):
        return Circle(self.r * k)


class Rect(Shape):
    def __init__(self, w, h):
        super().__init__("rect")
        self.w = w
        self.h = h

    def area(self):
        return self.w * self.h

    def scaled(self, k):
        return Rect(self.w * k, self.h * k)


def total_area(shapes):
    return sum(s.area() for s in shapes)


def grow(shapes, k):
    return [s.scaled(k) for s in shapes]


def counter():
    n = 0

    def bump(step):
        nonlocal n
        n += step
        return n
    return bump


def shapes_work(n):
    shapes = [Circle(i % 5 + 1) if i % 2 else Rect(i % 3 + 1, i % 7 + 1) for i in range(n)]
    acc = 0.0
    for _ in range(4):
        shapes = grow(shapes, 1.01)
        acc += total_area(shapes)
        for s in shapes:
            s.touch()
    ranked = sorted(shapes, key=lambda s: s.area())
    return int(acc) + len(ranked) + ranked[-1].touch()


def callbacks(n):
    bump = counter()
    values = list(map(lambda i: bump(i % 3), range(n)))
    queue = collections.deque()
    for v in values[:5000]:
        queue.append((v % 97, v))
    top = [queue.popleft()[1] for _ in range(100)]
    return bump(0) + sum(top) + int(math.fsum(math.sqrt(v) for v in values[:20000]))


print(shapes_work(4_000) + callbacks(40_000))
