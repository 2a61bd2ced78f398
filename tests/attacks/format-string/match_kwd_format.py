# class: format-string
# source: pyfence guard review
# goal: class pattern fetches the raw bound str.format in C
# expect: blocked

match "{0.gi_frame}":
    case str(format=f):
        def gen():
            yield 1
        print("ESCAPED" if "frame" in f(gen()) else "")
