# class: introspection
# source: pyfence red team of the membrane (issue 15): the guard looks classes up in dicts
# goal: a metaclass whose __eq__ and __hash__ lie makes a class look like another (the script's plain class, a builtin) in the guard's fast paths
# expect: blocked


class Liar(type):
    def __eq__(cls, other):
        return True

    def __hash__(cls):
        return hash(int)


class C(metaclass=Liar):
    pass


print("ESCAPED" if C == int else "safe")
