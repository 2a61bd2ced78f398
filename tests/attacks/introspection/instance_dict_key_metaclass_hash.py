# class: introspection
# source: pyfence red team, round 2 review (the guard hashed the types of an instance dict's keys)
# goal: run script code inside the guard's decision on a private read, through the metaclass of a key put into the instance's own dict
# expect: blocked
class M(type):
    def __hash__(cls):
        print("ESCAPED: the guard hashed a key's type")
        return 1

    def __eq__(cls, other):
        print("ESCAPED: the guard compared a key's type")
        return False


class K(metaclass=M):
    pass


class C:
    def __init__(self):
        self._secret = 1


c = C()
c.__dict__[K()] = 1
try:
    c._secret
except Exception:
    pass
