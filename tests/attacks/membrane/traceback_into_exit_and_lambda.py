# class: frame-walk
# source: pyfence issue 15 (with hands __exit__ a live traceback)
# goal: keep the traceback C code hands a script __exit__ (a method, a lambda, *args), and walk it to a frame
# expect: blocked
got = []


class CM:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        got.append(exc[2])
        return True


class CM2:
    __enter__ = lambda self: self
    __exit__ = lambda self, t, v, tb: got.append(tb) or True


for cm in (CM(), CM2()):
    try:
        with cm:
            1 / 0
    except Exception as e:
        print(type(e).__name__)
for tb in got:
    try:
        f = getattr(tb, "tb_" + "frame")
        print("ESCAPED", f)
    except Exception as e:
        print(type(e).__name__)
