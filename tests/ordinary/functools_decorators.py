import functools

def logged(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        result = fn(*args, **kwargs)
        print(f"{fn.__name__}{args} -> {result}")
        return result
    return wrapper

@logged
def add(a, b):
    """Add two numbers."""
    return a + b

add(2, 3)
print(add.__name__, add.__doc__, add.__wrapped__(1, 1))

@functools.lru_cache(maxsize=None)
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

print(fib(60), fib.cache_info().hits > 0, fib.__wrapped__(10))

@functools.singledispatch
def describe(x):
    return "thing"

@describe.register
def _(x: int):
    return f"int {x}"

@describe.register(list)
def _(x):
    return f"list of {len(x)}"

print(describe(3), describe([1, 2]), describe("s"))
print(functools.reduce(lambda a, b: a * b, range(1, 6)))
double = functools.partial(lambda x, k: x * k, k=2)
print(double(21))

@functools.total_ordering
class Version:
    def __init__(self, s):
        self.parts = tuple(int(p) for p in s.split("."))
    def __eq__(self, o):
        return self.parts == o.parts
    def __lt__(self, o):
        return self.parts < o.parts
    def __repr__(self):
        return "v" + ".".join(map(str, self.parts))

print(sorted([Version("1.10"), Version("1.2"), Version("0.9")]), Version("2.0") >= Version("1.9"))
print(sorted(["b", "A", "c"], key=functools.cmp_to_key(lambda a, b: (a.lower() > b.lower()) - (a.lower() < b.lower()))))

class Circle:
    def __init__(self, r):
        self.r = r
    @functools.cached_property
    def area(self):
        print("computing")
        return 3.14159 * self.r ** 2

c = Circle(2)
print(round(c.area, 2), round(c.area, 2))
