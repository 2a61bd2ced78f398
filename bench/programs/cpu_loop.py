# A CPU-bound, pure-Python benign program for the guard-overhead benchmark:
# function calls, attribute access, dict/list work, string building, and a
# small class hierarchy, all in interpreted loops (no C-level shortcuts).


class Vec:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y

    def add(self, other):
        return Vec(self.x + other.x, self.y + other.y)

    def norm2(self):
        return self.x * self.x + self.y * self.y


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def sieve(limit):
    flags = [True] * (limit + 1)
    flags[0] = flags[1] = False
    i = 2
    while i * i <= limit:
        if flags[i]:
            for j in range(i * i, limit + 1, i):
                flags[j] = False
        i += 1
    return sum(1 for f in flags if f)


def words(n):
    counts = {}
    for i in range(n):
        key = "w" + str(i % 97)
        counts[key] = counts.get(key, 0) + 1
    return len(counts), max(counts.values())


def vectors(n):
    acc = Vec(0, 0)
    for i in range(n):
        acc = acc.add(Vec(i % 7, -(i % 5)))
    return acc.norm2()


total = 0
total += fib(22)
total += sieve(200_000)
total += sum(words(150_000))
total += vectors(150_000)
print(total)
