from fractions import Fraction
from decimal import Decimal, getcontext
import math, statistics, random

getcontext().prec = 10
print(Fraction(3, 4) + Fraction(1, 6), Fraction("0.125"), Fraction(1, 3).limit_denominator(10))
print(Decimal(1) / Decimal(7), Decimal("1.10") + Decimal("2.20"))
print(math.gcd(84, 36), math.comb(10, 3), math.isclose(0.1 + 0.2, 0.3), round(math.tau, 4))
data = [2, 4, 4, 4, 5, 5, 7, 9]
print(statistics.mean(data), statistics.pstdev(data), statistics.mode(data))
rng = random.Random(42)
print(rng.randint(1, 100), rng.choice("abc"), round(rng.random(), 6))
print(sorted(rng.sample(range(100), 5)))
