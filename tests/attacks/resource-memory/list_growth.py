# class: resource-memory
# source: pyfence guard review
# goal: unbounded list growth
# expect: limit

l = []
while True:
    l.append('x' * 10 ** 6)
