"""An upper bound on what evaluating a CEL condition costs, from its source and the sizes of the
values it reads.

The ``cel`` package evaluates in Rust holding the GIL, with no step or memory limit and no way
to interrupt it (Ctrl-C waits for it to return), and a comprehension inside a comprehension
multiplies: eight nested ``.all()`` over ten items are 10^8 steps, nested ``.map()`` build lists
of gigabytes. So a condition is costed before it runs: the expression is parsed here (CEL's
grammar is small), and each node is given a bound on the size of its value (characters of a
string, items of a list, with a bound on each item) and on its steps (one per node evaluated,
comprehension bodies once per item of their range, and the characters a string operation reads
or builds, CHARS_PER_STEP to a step). A step is about a microsecond of cel's time, so the bound
is a time and a memory bound at once, the same on every machine (a verdict never depends on the
machine's speed).

* A rule file whose condition costs more than CONDITION_BUDGET with the values of its trial run
  (the signals' defaults), or more than COST_MAX with every value at its limit, is refused when
  it loads.
* At run time, a condition whose bound at the limits is within the budget (nearly all: most read
  counts and flags) is evaluated as is; any other is costed again with the sizes of the log's
  values, and one over the budget is reported as ``audit-incomplete`` instead of being run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

CONDITION_BUDGET = 1_000_000
"""Steps (about a microsecond each) one evaluation of a condition may cost."""
COST_MAX = 1_000_000_000
"""Steps with every value at its limit beyond which a condition is refused when it loads."""
CHARS_PER_STEP = 64
"""Characters a string operation reads or builds in a step."""
REGEX_STEPS = 300
"""A matches() whose pattern is not a literal compiles it on every call (about 0.25 ms)."""
MAX_DEPTH = 64
"""Nesting of the expression beyond which it is refused (a parser recursion guard)."""


class CostError(ValueError):
    """A condition that cannot be costed (its source is not CEL this parser reads)."""


@dataclass(frozen=True)
class Size:
    """A bound on a value: ``n`` characters (strings), items (lists, maps) or 1 (scalars), and
    for a list or map a bound on each item."""

    n: float
    item: Size | None = None

    @property
    def total(self) -> float:
        return self.n * (self.item.total if self.item is not None else 1)


SCALAR = Size(1)


def join(a: Size | None, b: Size | None) -> Size | None:
    """The least bound covering both."""
    if a is None or b is None:
        return a if b is None else b
    return Size(max(a.n, b.n), join(a.item, b.item))


def size_of(value: Any) -> Size:
    """The bound of an actual value (a log's signal, a parameter)."""
    if isinstance(value, str | bytes):
        return Size(len(value))
    if isinstance(value, list | tuple):
        item: Size | None = None
        for v in value:
            item = join(item, size_of(v))
        return Size(len(value), item or SCALAR)
    if isinstance(value, dict):
        item = None
        for k, v in value.items():
            item = join(item, join(size_of(k), size_of(v)))
        return Size(len(value), item or SCALAR)
    return SCALAR


# --------------------------------------------------------------------------------------------
# Parsing


_TOKEN = re.compile(
    r"""(?P<space>\s+|//[^\n]*)
    |(?P<string>(?:[rR][bB]?|[bB][rR]?)?(?:\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'))
    |(?P<number>0[xX][0-9a-fA-F]+[uU]?|\d*\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\d+[uU]?)
    |(?P<name>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<op>\|\||&&|==|!=|<=|>=|[<>+\-*/%!?:.,()\[\]{}])""",
    re.VERBOSE,
)
_MACROS = frozenset({"all", "exists", "exists_one", "map", "filter"})


def _tokens(source: str) -> list[tuple[str, str]]:
    out = []
    pos = 0
    while pos < len(source):
        m = _TOKEN.match(source, pos)
        if m is None:
            raise CostError(f"unexpected {source[pos]!r} at column {pos + 1}")
        pos = m.end()
        kind = m.lastgroup or ""
        if kind != "space":
            out.append((kind, m.group()))
    out.append(("end", ""))
    return out


class _Parser:
    """CEL's grammar (cel-spec's langdef.md), to a tree of tuples."""

    def __init__(self, source: str) -> None:
        self.toks = _tokens(source)
        self.i = 0
        self.depth = 0

    def peek(self) -> str:
        return self.toks[self.i][1] if self.toks[self.i][0] == "op" else self.toks[self.i][0] + ":"

    def take(self, op: str) -> bool:
        if self.toks[self.i] == ("op", op):
            self.i += 1
            return True
        return False

    def expect(self, op: str) -> None:
        if not self.take(op):
            raise CostError(f"expected {op!r}, found {self.toks[self.i][1] or 'the end'!r}")

    def parse(self) -> tuple:
        node = self.expr()
        if self.toks[self.i][0] != "end":
            raise CostError(f"unexpected {self.toks[self.i][1]!r}")
        return node

    def expr(self) -> tuple:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise CostError(f"nested more than {MAX_DEPTH} deep")
        node = self.binary(0)
        if self.take("?"):
            yes = self.binary(0)
            self.expect(":")
            node = ("cond", node, yes, self.expr())
        self.depth -= 1
        return node

    _LEVELS = (("||",), ("&&",), ("==", "!=", "<", "<=", ">", ">=", "in"), ("+", "-"), ("*", "/", "%"))

    def binary(self, level: int) -> tuple:
        if level == len(self._LEVELS):
            return self.unary()
        node = self.binary(level + 1)
        while True:
            tok = self.toks[self.i]
            op = tok[1] if tok[0] == "op" or tok == ("name", "in") else None
            if op not in self._LEVELS[level]:
                return node
            self.i += 1
            node = ("bin", op, node, self.binary(level + 1))

    def unary(self) -> tuple:
        if self.take("!") or self.take("-"):
            return ("un", self.unary())
        return self.member()

    def member(self) -> tuple:
        node = self.primary()
        while True:
            if self.take("."):
                kind, name = self.toks[self.i]
                if kind != "name":
                    raise CostError(f"expected a name after '.', found {name!r}")
                self.i += 1
                if self.take("("):
                    args = self.args(")")
                    if name in _MACROS and args and args[0][0] == "id" and len(args) in (2, 3):
                        node = ("macro", name, node, args[0][1], args[1:])
                    else:
                        node = ("call", name, node, args)
                else:
                    node = ("sel", node)
            elif self.take("["):
                node = ("index", node, self.expr())
                self.expect("]")
            elif self.toks[self.i] == ("op", "{") and node[0] in ("id", "sel"):
                self.i += 1
                node = ("list", [v for _k, v in self.entries("}", field=True)])  # a message
            else:
                return node

    def args(self, close: str) -> list[tuple]:
        out: list[tuple] = []
        while not self.take(close):
            out.append(self.expr())
            if not self.take(","):
                self.expect(close)
                break
        return out

    def entries(self, close: str, *, field: bool = False) -> list[tuple[tuple, tuple]]:
        out = []
        while not self.take(close):
            if field:
                kind, name = self.toks[self.i]
                if kind != "name":
                    raise CostError(f"expected a field name, found {name!r}")
                self.i += 1
                key: tuple = ("lit", SCALAR)
            else:
                key = self.expr()
            self.expect(":")
            out.append((key, self.expr()))
            if not self.take(","):
                self.expect(close)
                break
        return out

    def primary(self) -> tuple:
        kind, text = self.toks[self.i]
        self.i += 1
        if kind == "string":
            return ("lit", Size(len(text)))
        if kind == "number":
            return ("lit", SCALAR)
        if kind == "name":
            if text in ("true", "false", "null"):
                return ("lit", SCALAR)
            if self.take("("):
                return ("call", text, None, self.args(")"))
            return ("id", text)
        if text == ".":  # a leading dot: a name in the root scope
            return self.primary()
        if text == "(":
            node = self.expr()
            self.expect(")")
            return node
        if text == "[":
            return ("list", self.args("]"))
        if text == "{":
            return ("map", self.entries("}"))
        raise CostError(f"unexpected {text or 'end'!r}")


def parse(source: str) -> tuple:
    return _Parser(source).parse()


# --------------------------------------------------------------------------------------------
# Costing


def _chars(*sizes: Size) -> float:
    return sum(s.total for s in sizes) / CHARS_PER_STEP


def cost(node: tuple, env: dict[str, Size]) -> tuple[Size, float]:
    """The bound on the node's value, and on the steps evaluating it takes."""
    tag = node[0]
    if tag == "lit":
        return node[1], 1
    if tag == "id":
        return env.get(node[1], Size(4096)), 1
    if tag == "sel":
        v, s = cost(node[1], env)
        return (v.item or v), s + 1
    if tag == "index":
        v, s = cost(node[1], env)
        i, t = cost(node[2], env)
        return (v.item or v), s + t + 1
    if tag == "un":
        v, s = cost(node[1], env)
        return SCALAR, s + 1
    if tag == "cond":
        _c, s1 = cost(node[1], env)
        a, s2 = cost(node[2], env)
        b, s3 = cost(node[3], env)
        return join(a, b) or SCALAR, s1 + s2 + s3 + 1
    if tag == "bin":
        op = node[1]
        a, s1 = cost(node[2], env)
        b, s2 = cost(node[3], env)
        steps = s1 + s2 + 1
        if op == "+":
            value = Size(a.n + b.n, join(a.item, b.item))
            return value, steps + _chars(value)
        if op in ("==", "!=", "<", "<=", ">", ">=", "in"):
            return SCALAR, steps + _chars(a, b) + (b.n if op == "in" else 0)
        return SCALAR, steps
    if tag in ("list", "map"):
        items = node[1] if tag == "list" else [x for kv in node[1] for x in kv]
        item: Size | None = None
        steps = 1.0
        for sub in items:
            v, s = cost(sub, env)
            item, steps = join(item, v), steps + s + 1
        n = len(node[1])
        return Size(n, item or SCALAR), steps
    if tag == "macro":
        _tag, name, target, var, args = node
        t, steps = cost(target, env)
        inner = dict(env)
        inner[var] = t.item or t
        body_steps = 0.0
        value: Size | None = None
        for arg in args:
            value, s = cost(arg, inner)
            body_steps += s
        steps += t.n * (body_steps + 2)
        if name == "map":
            return Size(t.n, value), steps + _chars(Size(t.n, value))
        if name == "filter":
            return t, steps + _chars(t)
        return SCALAR, steps
    if tag == "call":
        _tag, name, target, args = node
        parts = ([target] if target is not None else []) + list(args)
        sizes = []
        steps = 1.0
        for part in parts:
            v, s = cost(part, env)
            sizes.append(v)
            steps += s
        if name == "size" or name == "has":
            return SCALAR, steps
        if name == "matches":
            # cel compiles the pattern on every call, literal or not: a step per character on top
            return SCALAR, steps + _chars(*sizes) + REGEX_STEPS + (sizes[-1].total if sizes else 0)
        if name in ("contains", "startsWith", "endsWith"):
            return SCALAR, steps + _chars(*sizes)
        # Conversions (string(), int(), dyn(), ...) and anything else: a value no bigger than its
        # arguments together; a function cel does not know fails at once.
        value = Size(sum(s.total for s in sizes) + 32) if sizes else SCALAR
        if len(sizes) == 1 and sizes[0].item is not None:
            value = sizes[0]
        return value, steps + _chars(*sizes)
    raise CostError(f"unknown node {tag}")  # pragma: no cover - the parser makes no other


@dataclass(frozen=True)
class Bound:
    """A condition's parsed tree, costed on demand."""

    tree: tuple

    def steps(self, env: dict[str, Size]) -> float:
        return cost(self.tree, env)[1]

    def steps_over(self, values: dict[str, Any]) -> float:
        """The bound with the sizes of actual values (a log's signals, exit, params)."""
        return self.steps({name: size_of(v) for name, v in values.items()})


def bound(source: str) -> Bound:
    return Bound(parse(source))
