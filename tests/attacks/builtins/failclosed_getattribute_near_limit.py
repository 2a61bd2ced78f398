# class: builtins
# source: pyfence red team, round 2 review (the __getattribute__ stand-in now shares the slow path)
# goal: a refused read through the default __getattribute__ made with the stack nearly full; the script catches the RecursionError and goes on
# expect: blocked
import random
caught = []
def probe(n):
    try:
        probe(n + 1)
    except RecursionError:
        pass
    try:
        type.__getattribute__(random.Random, "_randbelow")
    except RecursionError:
        caught.append(n)
probe(0)
print("ESCAPED" if caught else "")
