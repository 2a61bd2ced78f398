# class: format-string
# source: pyfence guard review
# goal: getattr('', 'format') must still be the safe one
# expect: blocked

fmt = getattr("{0.gi_frame}", "for" + "mat")
def gen():
    yield 1
print("ESCAPED" if "frame" in fmt(gen()) else "")
