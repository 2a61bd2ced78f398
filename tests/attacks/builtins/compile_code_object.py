# class: builtins
# source: pyfence guard review
# goal: compile() to get a code object
# expect: blocked

c = compile("print('ESCAPED')", "x", "exec")
print("ESCAPED" if getattr(c, 'co_code', None) else "")
