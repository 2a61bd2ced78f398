import random

random.seed("a fixed seed")
first = [random.randint(1, 100) for _ in range(5)]
random.seed("a fixed seed")
again = [random.randint(1, 100) for _ in range(5)]
print(first == again, len(first))

rng = random.Random(b"bytes seed")
other = random.Random(b"bytes seed")
print(rng.random() == other.random(), rng.choice("abc") == other.choice("abc"))
print(random.Random("x").sample(range(100), 3) == random.Random("x").sample(range(100), 3))
deck = list(range(10))
random.Random(bytearray(b"deck")).shuffle(deck)
print(sorted(deck) == list(range(10)))
