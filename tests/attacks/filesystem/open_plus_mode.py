# class: filesystem
# source: pyfence guard review
# goal: open('data.txt', 'r+') outside the read-only virtual FS
# expect: blocked

f = open('data.txt', 'r+')
print("ESCAPED")
