import itertools as it
import operator
from collections import deque

def take(n, iterable):
    return list(it.islice(iterable, n))

def sliding_window(iterable, n):
    window = deque(it.islice(iterable := iter(iterable), n - 1), maxlen=n)
    for x in iterable:
        window.append(x)
        yield tuple(window)

def roundrobin(*iterables):
    iterators = map(iter, iterables)
    for num_active in range(len(iterables), 0, -1):
        iterators = it.cycle(it.islice(iterators, num_active))
        yield from map(next, iterators)

def partition(pred, iterable):
    t1, t2 = it.tee(iterable)
    return list(it.filterfalse(pred, t1)), list(filter(pred, t2))

def unique_everseen(iterable, key=None):
    seen = []
    for element in iterable:
        k = element if key is None else key(element)
        if k not in seen:
            seen.append(k)
            yield element

def powerset(iterable):
    s = list(iterable)
    return it.chain.from_iterable(it.combinations(s, r) for r in range(len(s) + 1))

print(take(5, it.count(10, 5)), list(it.repeat("x", 3)))
print(list(sliding_window(range(6), 3)), list(it.pairwise("abcd")))
try:
    print(list(roundrobin("ABC", "D", "EF")))
except StopIteration:
    print("roundrobin stopped")
print(partition(lambda x: x % 3 == 0, range(10)))
print(list(unique_everseen("AAAABBBCCDAABBB")), list(unique_everseen("ABBcCAD", key=str.lower)))
print(list(powerset([1, 2, 3])))
print(list(it.batched(range(10), 4)), list(it.batched("abcdefg", 3, strict=False)))
print(list(it.accumulate([3, 1, 4, 1, 5], max)), list(it.accumulate([1, 2, 3], operator.mul, initial=10)))
print(list(it.starmap(pow, [(2, 5), (3, 2)])), list(it.compress("ABCDEF", [1, 0, 1, 0, 1, 1])))
print(list(it.dropwhile(lambda x: x < 3, [1, 4, 2, 5])), list(it.takewhile(str.isupper, "ABcDE")))
print(list(it.zip_longest("ab", "wxyz", fillvalue="-")), ["".join(p) for p in it.permutations("abc", 2)])
print(len(list(it.product(range(3), repeat=3))), list(it.combinations_with_replacement("xy", 2)))
data = sorted(["apple", "avocado", "banana", "blueberry", "cherry", "apricot"], key=operator.itemgetter(0))
for letter, words in it.groupby(data, key=operator.itemgetter(0)):
    print(letter, list(words))
try:
    list(zip([1, 2], [3], strict=True))
except ValueError as e:
    print("ValueError:", e)
print(sum(it.chain([1, 2], (3, 4), {5: None})), list(it.chain("ab", "cd")), list(map(operator.neg, range(3))))
grid = [[1, 2, 3], [4, 5, 6]]
print(list(zip(*grid)), [list(col) for col in it.zip_longest(*grid[::-1])])
running = list(it.accumulate(range(1, 6)))
print(running, [b - a for a, b in it.pairwise(running)])
