from fractions import Fraction
from dataclasses import dataclass
import math

@dataclass
class Matrix:
    rows: list

    def __post_init__(self):
        self.rows = [[Fraction(v) for v in row] for row in self.rows]
        widths = {len(r) for r in self.rows}
        if len(widths) != 1:
            raise ValueError("ragged matrix")

    @property
    def shape(self):
        return len(self.rows), len(self.rows[0])

    def __matmul__(self, other):
        cols = list(zip(*other.rows))
        return Matrix([[sum(a * b for a, b in zip(r, c)) for c in cols] for r in self.rows])

    def __str__(self):
        cells = [[str(v) for v in r] for r in self.rows]
        w = max(len(c) for r in cells for c in r)
        return "\n".join("[ " + " ".join(c.rjust(w) for c in r) + " ]" for r in cells)

def solve(m: Matrix, b: list):
    n = m.shape[0]
    aug = [row[:] + [Fraction(v)] for row, v in zip(m.rows, b)]
    for col in range(n):
        pivot = next((r for r in range(col, n) if aug[r][col] != 0), None)
        if pivot is None:
            raise ZeroDivisionError("singular matrix")
        aug[col], aug[pivot] = aug[pivot], aug[col]
        p = aug[col][col]
        aug[col] = [v / p for v in aug[col]]
        for r in range(n):
            if r != col and aug[r][col]:
                f = aug[r][col]
                aug[r] = [a - f * c for a, c in zip(aug[r], aug[col])]
    return [row[-1] for row in aug]

A = Matrix([[2, 1, -1], [-3, -1, 2], [-2, 1, 2]])
print(A, A.shape, sep="\n")
x = solve(A, [8, -11, -3])
print("x =", x, [str(v) for v in x])
B = Matrix([[1, 2], [3, 4]])
sol = solve(B, ["1/2", "1/3"])
print("sol:", ", ".join(map(str, sol)), sum(sol), float(sol[0]))
print(B @ Matrix([[s] for s in sol]))
print(Matrix([["1/3", "0.25"], [1, "-2/6"]]))
try:
    solve(Matrix([[1, 2], [2, 4]]), [1, 2])
except ZeroDivisionError as e:
    print("error:", e)
try:
    Matrix([[1, 2], [3]])
except ValueError as e:
    print("error:", e)
h = [[Fraction(1, i + j + 1) for j in range(3)] for i in range(3)]
hx = solve(Matrix(h), [1, 0, 0])
print("hilbert inverse col:", hx, math.lcm(*(v.denominator for v in hx)))
approx = Fraction(math.pi).limit_denominator(1000)
print(approx, approx.numerator, approx.denominator, f"{float(approx):.6f}", Fraction(7, 3).as_integer_ratio())
print(Fraction(5, 8) ** 2, Fraction(-7, 2) // 1, Fraction(-7, 2) % 1, round(Fraction(7, 2)), f"{Fraction(1, 3):.4f}")
print(sorted([Fraction(2, 3), Fraction(3, 5), 0.6, 1]), Fraction.from_float(0.1) == Fraction(1, 10))
