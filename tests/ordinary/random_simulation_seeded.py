import random
from collections import Counter
from statistics import fmean
from dataclasses import dataclass

rng = random.Random(2024)

def roll(n_dice=2, sides=6):
    return sum(rng.randint(1, sides) for _ in range(n_dice))

rolls = Counter(roll() for _ in range(3000))
for total in range(2, 13):
    print(f"{total:>2} {'#' * (rolls[total] // 25)} {rolls[total]}")
print("most common:", rolls.most_common(1)[0][0])

suits, ranks = "SHDC", "A23456789TJQK"
deck = [r + s for s in suits for r in ranks]
rng.shuffle(deck)
hands = [sorted(deck[i::4][:5]) for i in range(4)]
print(hands)
print(rng.sample(range(1, 50), 6), rng.choice(deck), rng.choices("ABC", weights=[70, 20, 10], k=12))

@dataclass
class Walker:
    x: int = 0
    y: int = 0
    steps: int = 0
    def step(self, r):
        dx, dy = r.choice([(0, 1), (0, -1), (1, 0), (-1, 0)])
        self.x += dx; self.y += dy; self.steps += 1

w = Walker()
for _ in range(500):
    w.step(rng)
print(w, abs(w.x) + abs(w.y))

state = rng.getstate()
first = [rng.random() for _ in range(3)]
rng.setstate(state)
print(first == [rng.random() for _ in range(3)], [round(v, 6) for v in first])
print(round(rng.gauss(100, 15), 6), round(rng.uniform(1, 2), 6), round(rng.triangular(0, 10, 8), 6))
print(round(rng.expovariate(0.5), 6), round(rng.betavariate(2, 5), 6), rng.randrange(0, 100, 7), rng.getrandbits(16))
print(rng.randbytes(4).hex(), round(rng.lognormvariate(0, 0.25), 6), rng.binomialvariate(20, 0.3))

def estimate_pi(r, n):
    inside = sum(1 for _ in range(n) if r.random() ** 2 + r.random() ** 2 <= 1)
    return 4 * inside / n
print([round(estimate_pi(random.Random(seed), 2000), 3) for seed in range(3)])

def bootstrap_mean(data, r, reps=200):
    means = sorted(fmean(r.choices(data, k=len(data))) for _ in range(reps))
    return round(means[int(reps * 0.05)], 3), round(means[int(reps * 0.95)], 3)
sample = [random.Random(5).randint(10, 30) for _ in range(3)] + [12, 18, 25, 30, 14, 22]
print(sample, bootstrap_mean(sample, random.Random(11)))
class Dice(random.Random):
    def roll(self):
        return self.randint(1, 6)
d1, d2 = Dice(3), Dice(3)
print([d1.roll() for _ in range(8)] == [d2.roll() for _ in range(8)], Dice(3).roll())
