# class: resource-cpu
# source: pyfence guard review
# goal: finally/except BaseException re-entering a loop forever
# expect: limit

while True:
    try:
        try:
            while True:
                pass
        finally:
            while True:
                pass
    except BaseException:
        continue
