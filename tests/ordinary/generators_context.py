def countdown(n):
    while n > 0:
        received = yield n
        n = n - 1 if received is None else received

gen = countdown(5)
print(next(gen), gen.send(2), next(gen), list(gen))

class Timer:
    def __enter__(self):
        self.events = ["start"]
        return self
    def __exit__(self, exc_type, exc, tb):
        self.events.append("stop")
        return exc_type is ValueError

with Timer() as t:
    raise ValueError("swallowed")
print(t.events)

def chunks(seq, n):
    for i in range(0, len(seq), n):
        yield seq[i:i + n]

print(list(chunks(list(range(7)), 3)), sum(x * x for x in range(10)))
squares = {x: x * x for x in range(5) if x % 2 == 0}
print(squares, any(v > 10 for v in squares.values()))
