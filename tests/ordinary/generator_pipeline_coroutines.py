import itertools

def read_lines(text):
    for n, line in enumerate(text.splitlines(), 1):
        yield n, line

def strip_comments(lines):
    for n, line in lines:
        line = line.split("#", 1)[0].rstrip()
        if line:
            yield n, line

def parse_pairs(lines):
    for n, line in lines:
        key, sep, value = line.partition("=")
        if not sep:
            raise ValueError(f"line {n}: no '=' in {line!r}")
        yield key.strip(), value.strip()

CONFIG = """# settings
name = demo
  # indented comment
port = 8080
debug = true  # trailing
"""
print(dict(parse_pairs(strip_comments(read_lines(CONFIG)))))

def averager():
    total, count, avg = 0.0, 0, None
    while True:
        value = yield avg
        if value is None:
            break
        total += value; count += 1
        avg = total / count
    return (count, avg)

def delegate(results, key):
    results[key] = yield from averager()

results = {}
for key, values in [("a", [10, 20, 60]), ("b", [1.5, 2.5])]:
    g = delegate(results, key)
    next(g)
    print(key, [g.send(v) for v in values])
    try:
        g.send(None)
    except StopIteration:
        pass
print(results)

def resilient():
    handled = []
    while True:
        try:
            x = yield len(handled)
            handled.append(x)
        except ValueError as e:
            handled.append(f"err:{e}")
        except GeneratorExit:
            print("closing with", handled)
            raise

r = resilient(); next(r)
print(r.send("a"), r.throw(ValueError("bad")), r.send("b"))
r.close()
print(r.gi_running, r.gi_suspended)

def fib():
    a, b = 0, 1
    while True:
        yield a
        a, b = b, a + b

print(list(itertools.islice(fib(), 12)))
evens, odds = itertools.tee(itertools.islice(fib(), 10))
print([x for x in evens if x % 2 == 0], sum(1 for x in odds if x % 2))

def counter_gen():
    yield 1
    return "finished"

g = counter_gen(); next(g)
try:
    next(g)
except StopIteration as stop:
    print("returned:", stop.value, counter_gen.__name__, type(g).__name__)
