# A benign program whose attribute reads go through the guard's slow path:
# private and dunder names on the script's own objects (every read is
# decided by the guard, which looks classes up by identity), plus
# namedtuple, enum and dataclass-free class creation in a loop.


class Account:
    def __init__(self, owner):
        self._owner = owner
        self._balance = 0
        self._log = []

    def deposit(self, amount):
        self._balance += amount
        self._log.append(amount)
        return self._balance

    def _fee(self):
        return len(self._log) % 3

    def settle(self):
        self._balance -= self._fee()
        return self._balance


def churn(n):
    acc = Account("ada")
    total = 0
    for i in range(n):
        acc.deposit(i % 11)
        if i % 7 == 0:
            total += acc.settle()
        total += acc._balance & 1
    return total, type(acc).__name__


def classes(n):
    made = 0
    for i in range(n):
        class Point:
            __slots__ = ("_x", "_y")

            def __init__(self, x, y):
                self._x, self._y = x, y

            def norm1(self):
                return abs(self._x) + abs(self._y)
        made += Point(i, -i).norm1()
    return made


print(churn(60_000), classes(2_000))
