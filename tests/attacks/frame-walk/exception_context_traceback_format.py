# class: frame-walk
# source: pyfence guard review
# goal: format field walks __context__ then __traceback__
# expect: blocked

try:
    try:
        1 / 0
    except ZeroDivisionError:
        raise KeyError(1)
except KeyError as e:
    s = "{0.__context__.__traceback__.tb_frame}".format(e)
    print("ESCAPED" if "frame" in s else "")
