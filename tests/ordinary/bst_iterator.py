class Node:
    __slots__ = ("key", "left", "right")

    def __init__(self, key):
        self.key = key
        self.left = self.right = None


class BST:
    def __init__(self, keys=()):
        self._root = None
        self._size = 0
        for k in keys:
            self.add(k)

    def add(self, key):
        if self._root is None:
            self._root = Node(key)
            self._size += 1
            return
        node = self._root
        while True:
            if key == node.key:
                return
            side = "left" if key < node.key else "right"
            child = getattr(node, side)
            if child is None:
                setattr(node, side, Node(key))
                self._size += 1
                return
            node = child

    def __contains__(self, key):
        node = self._root
        while node:
            if key == node.key:
                return True
            node = node.left if key < node.key else node.right
        return False

    def __iter__(self):
        def walk(node):
            if node:
                yield from walk(node.left)
                yield node.key
                yield from walk(node.right)
        return walk(self._root)

    def __len__(self):
        return self._size

    def height(self, node=None, _top=True):
        if _top:
            node = self._root
        if node is None:
            return 0
        return 1 + max(self.height(node.left, False), self.height(node.right, False))


t = BST([50, 30, 70, 20, 40, 60, 80, 30])
print(list(t), len(t), 40 in t, 45 in t, t.height())
print(sum(t), max(t), [k for k in t if k % 20 == 0])
