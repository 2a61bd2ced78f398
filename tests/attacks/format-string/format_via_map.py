# class: format-string
# source: pyfence guard review
# goal: map(str.format, ...) passes the method around
# expect: blocked

def gen():
    yield 1
out = list(map(str.format, ["{0.gi_frame}"], [gen()]))
print("ESCAPED" if "frame" in out[0] else "")
