# class: filesystem
# source: pyfence guard review
# goal: open('/proc/self/environ') outside the read-only virtual FS
# expect: blocked

f = open('/proc/self/environ')
print("ESCAPED")
