# class: builtins
# source: pyfence guard review
# goal: exit/quit are site helpers with sys in reach
# expect: blocked

g = getattr(exit, '__call__')
print("ESCAPED")
