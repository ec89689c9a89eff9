"""COQL text -> syntax tree: a tokenizer and a recursive-descent parser, no schema knowledge.

Grammar (https://www.zoho.com/crm/developer/docs/api/v8/COQL-Overview.html, …/Get-Records-through-COQL-Query.html,
…/COQL-Limitations.html, Kaizen #171)::

    query     := SELECT item (',' item)* FROM Module WHERE cond [GROUP BY ref, …] [ORDER BY order, …]
                 [LIMIT n [OFFSET m] | LIMIT m ',' n]
    item      := (AGG '(' ref ')' | ref) [AS alias]        AGG is SUM|MIN|MAX|AVG|COUNT, upper case only
    cond      := operand [(AND|OR) operand]                 more than two criteria must be paired: ((A and B) and C)
    operand   := '(' cond ')' | ref comparator
    ref       := Field.Path | 'quoted field or What_Id->Module.Field'

Keywords are case-insensitive. Strings are single- or double-quoted; the quote is escaped by doubling it.
Syntax faults raise ``SYNTAX_ERROR``; the documented count caps (25 criteria, 100 ``in`` values)
raise ``LIMIT_EXCEEDED`` here because they need no schema.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from zoho_emulator.engine.errors import ZohoError

MAX_CRITERIA = 25
MAX_IN_VALUES = 100  # v7+ Limitations page and Kaizen #183 (it was 50 before v7)
AGGREGATES = ("SUM", "MIN", "MAX", "AVG", "COUNT")
KEYWORDS = frozenset({
    "select", "from", "where", "and", "or", "not", "in", "like", "between", "is", "null", "group",
    "order", "by", "asc", "desc", "limit", "offset", "as",
})
# SQL reserved words that must be quoted when used as field names (Kaizen #171 names "External").
RESERVED = KEYWORDS | frozenset({
    "external", "all", "any", "case", "create", "delete", "distinct", "drop", "else", "end", "exists",
    "having", "insert", "into", "join", "on", "table", "then", "union", "update", "values", "when",
    "true", "false",
})
COMPARATORS = ("=", "!=", ">", ">=", "<", "<=")

IDENT, STRING, NUMBER, SYMBOL, END = "ident", "string", "number", "symbol", "end"
_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)*")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?![A-Za-z0-9_.])")
_SYMBOLS = ("!=", ">=", "<=", "=", ">", "<", "(", ")", ",", "*")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    pos: int

    def is_word(self, *words: str) -> bool:
        return self.kind == IDENT and self.text.lower() in words

    def is_symbol(self, symbol: str) -> bool:
        return self.kind == SYMBOL and self.text == symbol


@dataclass(frozen=True)
class FieldRef:
    """A column as written: ``Account_Name.Account_Name`` or a quoted ``'What_Id->Leads.Last_Name'``."""

    path: str


@dataclass(frozen=True)
class AggregateRef:
    func: str
    field: FieldRef

    @property
    def key(self) -> str:
        return f"{self.func}({self.field.path})"


@dataclass(frozen=True)
class SelectItem:
    expr: FieldRef | AggregateRef
    alias: str | None = None

    @property
    def key(self) -> str:
        """The response key: the alias, else the expression as Zoho echoes it (``SUM(Amount)``)."""
        if self.alias is not None:
            return self.alias
        return self.expr.key if isinstance(self.expr, AggregateRef) else self.expr.path


@dataclass(frozen=True)
class Literal:
    kind: str  # "string" | "number" | "word"
    value: Any


@dataclass(frozen=True)
class Criterion:
    field: FieldRef
    op: str  # one of COMPARATORS, "between", "not between", "in", "not in", "like", "not like", "is null", …
    values: tuple[Literal, ...] = ()


@dataclass(frozen=True)
class Logical:
    op: str  # "and" | "or"
    left: Criterion | Logical
    right: Criterion | Logical


@dataclass(frozen=True)
class OrderItem:
    expr: FieldRef | AggregateRef
    descending: bool = False


@dataclass
class SyntaxTree:
    items: list[SelectItem]
    module: str
    where: Criterion | Logical
    group_by: list[FieldRef] = field(default_factory=list)
    order_by: list[OrderItem] = field(default_factory=list)
    limit: int | None = None
    offset: int | None = None


def syntax_error(message: str, **details: Any) -> ZohoError:
    return ZohoError("SYNTAX_ERROR", message, details)


def tokenize(text: str) -> list[Token]:
    """Split a query into tokens; anything outside the COQL alphabet is a syntax error."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch.isspace():
            pos += 1
        elif ch in "'\"":
            value, end = _read_string(text, pos)
            tokens.append(Token(STRING, value, pos))
            pos = end
        elif (match := _NUMBER.match(text, pos)) and (ch.isdigit() or ch == "-"):
            tokens.append(Token(NUMBER, match.group(), pos))
            pos = match.end()
        elif match := _IDENT.match(text, pos):
            tokens.append(Token(IDENT, match.group(), pos))
            pos = match.end()
        else:
            symbol = next((s for s in _SYMBOLS if text.startswith(s, pos)), None)
            if symbol is None:
                raise syntax_error(f"unexpected character {ch!r}", position=pos)
            tokens.append(Token(SYMBOL, symbol, pos))
            pos += len(symbol)
    tokens.append(Token(END, "", len(text)))
    return tokens


def _read_string(text: str, start: int) -> tuple[str, int]:
    quote, pos, out = text[start], start + 1, []
    while pos < len(text):
        if text[pos] == quote:
            if text.startswith(quote * 2, pos):
                out.append(quote)
                pos += 2
                continue
            return "".join(out), pos + 1
        out.append(text[pos])
        pos += 1
    raise syntax_error("unterminated string literal", position=start)


def parse_syntax(query: str) -> SyntaxTree:
    """Parse ``query`` into a ``SyntaxTree`` (no field or module checks)."""
    return _Parser(tokenize(query)).query()


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0
        self.criteria = 0

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.peek()
        self.index += 1
        return token

    def accept_word(self, *words: str) -> bool:
        if self.peek().is_word(*words):
            self.index += 1
            return True
        return False

    def accept_phrase(self, first: str, second: str) -> bool:
        if self.peek().is_word(first):
            if not self.peek(1).is_word(second):
                raise syntax_error(f"expected '{second}' after '{first}'", position=self.peek(1).pos)
            self.index += 2
            return True
        return False

    def expect_symbol(self, symbol: str) -> None:
        if not self.peek().is_symbol(symbol):
            raise syntax_error(f"expected '{symbol}'", position=self.peek().pos)
        self.index += 1

    def query(self) -> SyntaxTree:
        if not self.accept_word("select"):
            raise syntax_error("only select queries are supported")
        items = self.comma_list(self.select_item)
        if not self.accept_word("from"):
            raise syntax_error("the query does not contain the from clause")
        module = self.module_name()
        if not self.accept_word("where"):
            raise syntax_error("the query does not contain the where clause")
        tree = SyntaxTree(items, module, self.condition())
        if self.accept_phrase("group", "by"):
            tree.group_by = self.comma_list(self.field_ref)
        if self.accept_phrase("order", "by"):
            tree.order_by = self.comma_list(self.order_item)
        tree.limit, tree.offset = self.limit_clause()
        if self.peek().kind != END:
            raise syntax_error(f"unexpected {self.peek().text!r}", position=self.peek().pos)
        return tree

    def comma_list(self, parse_one: Any) -> list[Any]:
        items = [parse_one()]
        while self.peek().is_symbol(","):
            self.index += 1
            items.append(parse_one())
        return items

    def module_name(self) -> str:
        token = self.advance()
        if token.kind != IDENT or "." in token.text or token.text.lower() in RESERVED:
            raise syntax_error("the query does not contain a proper base table", position=token.pos)
        return token.text

    def select_item(self) -> SelectItem:
        if self.peek().is_symbol("*"):
            raise syntax_error("'*' is not supported; name the fields", position=self.peek().pos)
        expr = self.aggregate_or_field()
        alias = None
        if self.accept_word("as"):
            token = self.advance()
            if token.kind not in (IDENT, STRING):
                raise syntax_error("expected an alias after 'as'", position=token.pos)
            if token.text.strip() == "":
                raise ZohoError("INVALID_ALIAS", "the alias name cannot be an empty string", {"position": token.pos})
            alias = token.text
        return SelectItem(expr, alias)

    def aggregate_or_field(self) -> FieldRef | AggregateRef:
        token = self.peek()
        if token.kind == IDENT and self.peek(1).is_symbol("("):
            if token.text not in AGGREGATES:
                raise syntax_error(f"unknown function {token.text!r} (aggregate names are case-sensitive)",
                                   position=token.pos)
            self.index += 2
            ref = self.field_ref()
            self.expect_symbol(")")
            return AggregateRef(token.text, ref)
        return self.field_ref()

    def field_ref(self) -> FieldRef:
        token = self.advance()
        if token.kind == STRING and token.text.strip():
            return FieldRef(token.text)
        if token.kind == IDENT and token.text.lower() not in RESERVED:
            return FieldRef(token.text)
        raise syntax_error(f"expected a field API name at {token.text!r} (quote reserved words)", position=token.pos)

    def order_item(self) -> OrderItem:
        expr = self.aggregate_or_field()
        descending = self.peek().is_word("desc")
        self.accept_word("asc", "desc")
        return OrderItem(expr, descending)

    def condition(self) -> Criterion | Logical:
        left = self.operand()
        if not self.peek().is_word("and", "or"):
            return left
        op = self.advance().text.lower()
        right = self.operand()
        if self.peek().is_word("and", "or"):
            raise syntax_error("more than two criteria must be grouped in pairs, e.g. ((A and B) and C)",
                               position=self.peek().pos)
        return Logical(op, left, right)

    def operand(self) -> Criterion | Logical:
        if self.peek().is_symbol("("):
            self.index += 1
            inner = self.condition()
            self.expect_symbol(")")
            return inner
        self.criteria += 1
        if self.criteria > MAX_CRITERIA:
            raise ZohoError("LIMIT_EXCEEDED", "a maximum of 25 criteria is allowed in the where clause",
                            {"limit": MAX_CRITERIA})
        return self.criterion(self.field_ref())

    def criterion(self, ref: FieldRef) -> Criterion:
        token = self.advance()
        if token.kind == SYMBOL and token.text in COMPARATORS:
            return Criterion(ref, token.text, (self.literal(),))
        negated = token.is_word("not")
        if negated:
            token = self.advance()
        prefix = "not " if negated else ""
        if token.is_word("between"):
            low = self.literal()
            if not self.accept_word("and"):
                raise syntax_error("expected 'and' in between", position=self.peek().pos)
            return Criterion(ref, prefix + "between", (low, self.literal()))
        if token.is_word("in"):
            return Criterion(ref, prefix + "in", self.value_list())
        if token.is_word("like"):
            return Criterion(ref, prefix + "like", (self.literal(),))
        if token.is_word("is") and not negated:
            op = "is not null" if self.accept_word("not") else "is null"
            if not self.accept_word("null"):
                raise syntax_error("expected 'null' after 'is'", position=self.peek().pos)
            return Criterion(ref, op)
        raise syntax_error(f"expected a comparator at {token.text!r}", position=token.pos)

    def value_list(self) -> tuple[Literal, ...]:
        self.expect_symbol("(")
        values = tuple(self.comma_list(self.literal))
        self.expect_symbol(")")
        if len(values) > MAX_IN_VALUES:
            raise ZohoError("LIMIT_EXCEEDED", "a maximum of 100 values is allowed for in/not in",
                            {"limit": MAX_IN_VALUES})
        return values

    def literal(self) -> Literal:
        token = self.advance()
        if token.kind == STRING:
            return Literal("string", token.text)
        if token.kind == NUMBER:
            number = float(token.text) if "." in token.text else int(token.text)
            return Literal("number", number)
        if token.kind == IDENT and "." not in token.text and token.text.lower() not in KEYWORDS:
            return Literal("word", token.text)
        raise syntax_error(f"expected a value at {token.text!r}", position=token.pos)

    def limit_clause(self) -> tuple[int | None, int | None]:
        if self.peek().is_word("offset"):
            raise syntax_error("offset needs a limit clause", position=self.peek().pos)
        if not self.accept_word("limit"):
            return None, None
        first = self.integer()
        if self.peek().is_symbol(","):
            self.index += 1
            return self.integer(), first
        offset = self.integer() if self.accept_word("offset") else None
        return first, offset

    def integer(self) -> int:
        token = self.advance()
        if token.kind != NUMBER or not token.text.isdigit():
            raise syntax_error("limit and offset take non-negative integers", position=token.pos)
        return int(token.text)
