import functools
from decimal import Decimal
from fractions import Fraction
from datetime import date

class Renderer:
    def __init__(self, precision=2):
        self.precision = precision
    @functools.singledispatchmethod
    def render(self, value):
        return f"<{type(value).__name__}>"
    @render.register
    def _(self, value: int):
        return f"{value:,}"
    @render.register
    def _(self, value: float):
        return f"{value:.{self.precision}f}"
    @render.register(Decimal)
    @render.register(Fraction)
    def _(self, value):
        return f"exact {value}"
    @render.register
    def _(self, value: list):
        return "[" + "; ".join(self.render(v) for v in value) + "]"
    @render.register
    def _(self, value: date):
        return value.strftime("%d.%m.%Y")

r = Renderer(3)
print([r.render(v) for v in (1234567, 3.14159, Decimal("1.5"), Fraction(2, 3), [1, 2.5], date(2024, 1, 2), "s", None)])

class CallCounter:
    def __init__(self, fn):
        functools.update_wrapper(self, fn)
        self.calls = 0
    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.__wrapped__(*args, **kwargs)

@CallCounter
def greet(name, punctuation="!"):
    """Say hello."""
    return f"hello {name}{punctuation}"

print(greet("ann"), greet("bo", "?"), greet.calls, greet.__name__, greet.__doc__)

def retry(times):
    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args):
            for attempt in range(1, times + 1):
                try:
                    return fn(*args, attempt)
                except RuntimeError as e:
                    wrapper.failures.append(str(e))
            raise RuntimeError(f"gave up after {times}")
        wrapper.failures = []
        return wrapper
    return deco

@retry(3)
def flaky(x, attempt):
    if attempt < 3:
        raise RuntimeError(f"attempt {attempt} failed")
    return x * 10

print(flaky(4), flaky.failures, flaky.__wrapped__(1, 5), flaky.__name__)

@functools.cache
def partitions(n, k):
    if n == 0:
        return 1
    if n < 0 or k == 0:
        return 0
    return partitions(n - k, k) + partitions(n, k - 1)

print(partitions(60, 60), partitions.cache_info().currsize > 100)

@functools.lru_cache(maxsize=2, typed=True)
def kind(x):
    return type(x).__name__

print(kind(1), kind(1.0), kind(1), kind.cache_info(), kind.cache_parameters())
kind.cache_clear()
print(kind.cache_info().currsize)

class Cell:
    def __init__(self):
        self.state = "off"
    def set_state(self, state):
        self.state = state
        return self
    on = functools.partialmethod(set_state, "on")
    off = functools.partialmethod(set_state, "off")

print(Cell().on().state, Cell().on().off().state)
add3 = functools.partial(lambda a, b, c: a + b + c, 1, c=3)
print(add3(2), add3.args, add3.keywords, functools.reduce(lambda acc, x: acc * 2 + x, [1, 0, 1, 1], 0))
print(greet.__wrapped__.__defaults__, flaky.__wrapped__.__name__)
