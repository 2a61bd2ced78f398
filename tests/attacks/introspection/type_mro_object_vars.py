# class: introspection
# source: pyfence guard review
# goal: type.mro() to reach object, then vars(object)
# expect: blocked

obj = type.mro(type(()))[-1]
v = vars(obj)
print("ESCAPED" if '__subclasses__' in v else "")
