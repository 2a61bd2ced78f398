# class: builtins
# source: pyfence guard review
# goal: the guard's closures via __closure__ / cell_contents
# expect: blocked

c = getattr(getattr, '__clo' + 'sure__')
print("ESCAPED" if c else "")
