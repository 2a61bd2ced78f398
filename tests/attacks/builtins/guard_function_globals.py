# class: builtins
# source: pyfence guard review
# goal: getattr builtin is a guard function; reach its globals
# expect: blocked

g = getattr(getattr, '__glo' + 'bals__')
print("ESCAPED" if g else "")
