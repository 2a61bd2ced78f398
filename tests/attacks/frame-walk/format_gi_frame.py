# class: frame-walk
# source: pyfence guard review
# goal: str.format field walks gi_frame.f_back
# expect: blocked

def gen():
    yield 1
g = gen()
s = "{0.gi_frame.f_back}".format(g)
print("ESCAPED" if "frame" in s else "")
