# The smallest useful script: compute and print.
import math
import json

squares = {n: n * n for n in range(1, 6)}
print("squares:", json.dumps(squares))
print("pi to 6 places:", round(math.pi, 6))
