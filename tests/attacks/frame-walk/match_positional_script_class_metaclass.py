# class: frame-walk
# source: pyfence guard review
# goal: script metaclass defining __instancecheck__ (class statement)
# expect: blocked

class M(type):
    def __instancecheck__(cls, o):
        return True
class C(metaclass=M):
    __match_args__ = ('gi_frame',)
def gen():
    yield 1
match gen():
    case C(f):
        print("ESCAPED")
