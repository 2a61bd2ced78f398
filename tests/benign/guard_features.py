import json
import collections
from collections import namedtuple


class Account:
    kind = "basic"

    def __init__(self, owner, balance=0):
        self.owner = owner
        self.__balance = balance
        self._log = []

    @property
    def balance(self):
        return self.__balance

    def deposit(self, n):
        self.__balance += n
        self._log.append(("deposit", n))
        return self

    def __repr__(self):
        return "Account({!r}, {})".format(self.owner, self.__balance)

    def __eq__(self, other):
        return isinstance(other, Account) and self.owner == other.owner


class Meta(type):
    registry = []

    def __init__(cls, name, bases, ns):
        super().__init__(name, bases, ns)
        Meta.registry.append(name)


class Plugin(metaclass=Meta):
    pass


class Audio(Plugin):
    pass


a = Account("ann").deposit(5).deposit(7)
print(a, a.balance, a._log, a == Account("ann"))
print(Meta.registry, type(a).__name__, a.__class__.__name__, Account.kind)
print(sorted(vars(a)), hasattr(a, "balance"), hasattr(a, "nope"), getattr(a, "nope", 42))
setattr(a, "extra", 1)
delattr(a, "extra")
print("{0.owner} has {0.balance:>6.2f} ({1[0]})".format(a, ["x"]))
print("{owner}!".format_map({"owner": "bob"}), f"{a.owner!r:>8}|{3.14159:.2f}")
P = namedtuple("P", "x y")
p = P(1, 2)
print(p._replace(y=5), p._asdict(), P._fields, P._make([3, 4]))
match p:
    case P(x=1, y=yy):
        print("matched", yy)
match {"k": [1, 2]}:
    case {"k": [first, *rest]}:
        print(first, rest)
with open("data.txt") as f:
    print(f.read().split())
print(open("d/x.bin", "rb").read())
print(dir()[:3], sorted(globals())[:3])
print(json.loads(json.dumps({"a": [1, 2, {"b": None}]})))
c = collections.Counter("abracadabra")
print(c.most_common(2), list(collections.OrderedDict(a=1).items()))
d = collections.defaultdict(int)
d["x"] += 1
print(dict(d))


def deco(fn):
    def wrapper(*a):
        return fn(*a) * 2
    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    wrapper.calls = 0
    return wrapper


@deco
def f(x):
    "doc"
    return x + 1


print(f(3), f.__name__, f.__doc__, f.calls)
try:
    raise ValueError("bad")
except ValueError as e:
    print(type(e).__name__, e.args, str(e))
print(sorted([3, 1, 2], key=lambda v: -v), list(map(str.upper, ["a", "b"])), str.format("{}-{}", 1, 2))
print(type(1), isinstance(True, int), issubclass(bool, int), super(Audio, Audio()).__class__.__name__)
gen = (i * i for i in range(4))
print(list(gen), next(iter([9])))
