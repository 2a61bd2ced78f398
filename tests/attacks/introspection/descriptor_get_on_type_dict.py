# class: introspection
# source: pyfence guard review
# goal: type.__dict__ via getattr
# expect: blocked

d = getattr(type, '__di' + 'ct__')
print("ESCAPED" if '__subclasses__' in d else "")
