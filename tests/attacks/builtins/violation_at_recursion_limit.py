# class: builtins
# source: pyfence guard review
# goal: trigger a denied access with the stack nearly full so the guard's own checks fail
# expect: blocked

import random
got = []
def f(n):
    try:
        return f(n + 1)
    except RecursionError:
        try:
            got.append(random._os)
        except BaseException:
            pass
        return n
f(0)
if got:
    print("ESCAPED")
