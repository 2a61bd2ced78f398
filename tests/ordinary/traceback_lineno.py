def parse(text):
    return int(text)


def load(values):
    out = []
    for v in values:
        try:
            out.append(parse(v))
        except ValueError as e:
            tb = e.__traceback__
            print("bad value", repr(v), "at line", tb.tb_lineno)
    return out


print(load(["1", "x", "3"]))
