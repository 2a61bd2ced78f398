# class: builtins
# source: pyfence guard review
# goal: class body locals() expose helpers
# expect: blocked

class A:
    l = locals()
print("ESCAPED" if any(k.startswith('__') for k in A.l) else "")
