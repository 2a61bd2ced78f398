# class: builtins
# source: pyfence guard review
# goal: assign the guard's helper names
# expect: blocked

__pf_ga__ = lambda o, n: object.__getattribute__(o, n)
print("ESCAPED")
