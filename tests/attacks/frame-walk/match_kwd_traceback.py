# class: frame-walk
# source: pyfence guard review
# goal: match class pattern fetches __traceback__ in C
# expect: blocked

try:
    1 / 0
except ZeroDivisionError as e:
    match e:
        case ZeroDivisionError(__traceback__=tb):
            print("ESCAPED" if tb.tb_frame else "")
