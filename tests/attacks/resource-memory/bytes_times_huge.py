# class: resource-memory
# source: pyfence guard review
# goal: bytes repetition to 4 GB
# expect: limit

b = b'x' * (2 ** 32)
