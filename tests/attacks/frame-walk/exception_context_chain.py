# class: frame-walk
# source: pyfence guard review
# goal: __context__/__cause__ chain to reach a traceback
# expect: blocked

try:
    try:
        1 / 0
    except ZeroDivisionError:
        raise KeyError(1)
except KeyError as e:
    c = getattr(e, '__con' + 'text__')
    tb = getattr(c, '__traceback__')
    print("ESCAPED")
