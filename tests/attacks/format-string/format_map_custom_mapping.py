# class: format-string
# source: pyfence guard review
# goal: format_map with a __missing__ mapping handing back a generator
# expect: blocked

def gen():
    yield 1
class M(dict):
    def __missing__(self, k):
        return gen()
s = "{x.gi_frame.f_globals}".format_map(M())
print("ESCAPED" if "{" in s else "")
