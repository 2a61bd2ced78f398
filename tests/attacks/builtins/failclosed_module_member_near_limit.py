# class: builtins
# source: pyfence red team, issue 8 item 4 (the guard fails open out of stack)
# goal: a private module member read with the stack nearly full
# expect: blocked
import json
caught = []
def probe(n):
    try:
        probe(n + 1)
    except RecursionError:
        pass
    try:
        getattr(json, "_default_" + "decoder")
    except RecursionError:
        caught.append(n)
probe(0)
print("ESCAPED" if caught else "")
