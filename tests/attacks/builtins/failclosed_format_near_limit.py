# class: builtins
# source: pyfence red team, issue 8 item 4 (the guard fails open out of stack)
# goal: a format field that walks into a function's globals, with the stack nearly full
# expect: blocked
caught = []
def f(): pass
def probe(n):
    try:
        probe(n + 1)
    except RecursionError:
        pass
    try:
        ("{0.__glo" + "bals__}").format(f)
    except RecursionError:
        caught.append(n)
probe(0)
print("ESCAPED" if caught else "")
