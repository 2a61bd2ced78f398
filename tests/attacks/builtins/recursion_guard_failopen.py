# class: builtins
# source: pyfence red team, issue 8 item 4 (the guard fails open out of stack)
# goal: a denied read made with the stack nearly full raises RecursionError inside the guard; the script catches it and goes on
# expect: blocked
import random
caught = []
def probe(n):
    try:
        probe(n + 1)
    except RecursionError:
        pass
    try:
        getattr(random.Random.__init__, "__glo" + "bals__")
    except RecursionError:
        caught.append(n)
probe(0)
print("ESCAPED" if caught else "")
