# class: frame-walk
# source: pyfence guard review
# goal: __context__/__cause__ chain to reach a traceback, then its frame
# expect: blocked

try:
    try:
        1 / 0
    except ZeroDivisionError:
        raise KeyError(1)
except KeyError as e:
    c = getattr(e, '__con' + 'text__')
    tb = getattr(c, '__traceback__')
    f = getattr(tb, 'tb_' + 'frame')
    print("ESCAPED")
