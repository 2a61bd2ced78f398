# class: builtins
# source: pyfence guard review
# goal: catch SecurityError and keep running
# expect: blocked

try:
    import os
except BaseException:
    pass
print("ESCAPED")
