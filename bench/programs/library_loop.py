# A library-heavy benign program for the guard-overhead benchmark: most of
# the time is spent in the standard library's own Python code (random, re,
# fractions, json), whose returns into the script the membrane checks.
import json
import random
import re
from fractions import Fraction

rng = random.Random(7)
rolls = [rng.randint(1, 6) for _ in range(20_000)]
words = re.findall(r"[a-z]+", "the quick brown fox jumps over the lazy dog " * 1_500)
matches = sum(1 for w in words if re.match(r"[aeiou]", w))
total = sum((Fraction(i, i + 1) for i in range(1, 400)), Fraction(0))
doc = json.loads(json.dumps([{"roll": r, "even": r % 2 == 0} for r in rolls[:5_000]]))
print(sum(rolls), len(words), matches, total.numerator % 1000, len(doc))
