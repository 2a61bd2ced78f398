# class: introspection
# source: pyfence guard review
# goal: list[int].__origin__ and friends on GenericAlias
# expect: blocked

ga = list[int]
o = getattr(ga, '__ori' + 'gin__')
print("ESCAPED" if getattr(o, '__subcl' + 'asses__', None) else "")
