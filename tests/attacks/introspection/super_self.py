# class: introspection
# source: pyfence guard review
# goal: super() object __self__/__self_class__
# expect: blocked

class A:
    def m(self):
        return getattr(super(), '__self' + '__')
print("ESCAPED" if A().m() is not None else "")
