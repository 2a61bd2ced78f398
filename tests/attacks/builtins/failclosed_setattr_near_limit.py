# class: builtins
# source: pyfence red team, issue 8 item 4 (the guard fails open out of stack)
# goal: a refused write made with the stack nearly full; the script catches the RecursionError and goes on
# expect: blocked
import random
caught = []
def probe(n):
    try:
        probe(n + 1)
    except RecursionError:
        pass
    try:
        setattr(random.Random, "_x", 1)
    except RecursionError:
        caught.append(n)
probe(0)
print("ESCAPED" if caught else "")
