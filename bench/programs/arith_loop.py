# The control for cpu_loop.py: CPU-bound pure Python with no attribute access
# at all (no methods, no `obj.x`), only calls, arithmetic, indexing and loops.


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def sieve(limit):
    flags = [True] * (limit + 1)
    flags[0] = flags[1] = False
    i = 2
    while i * i <= limit:
        if flags[i]:
            for j in range(i * i, limit + 1, i):
                flags[j] = False
        i += 1
    return sum(1 for f in flags if f)


def collatz(n):
    longest = 0
    for start in range(1, n):
        x = start
        steps = 0
        while x != 1:
            x = x // 2 if x % 2 == 0 else 3 * x + 1
            steps += 1
        if steps > longest:
            longest = steps
    return longest


print(fib(22) + sieve(200_000) + collatz(20_000))
