"""Column types: money as integer cents, instants as naive UTC, JSON documents."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.types import TypeDecorator

JsonValue = dict[str, Any] | list[Any]
DINHEIRO_MAXIMO = Decimal(2**63 - 1) / 100  # the largest amount a `Dinheiro` column (BIGINT cents) holds


class Dinheiro(TypeDecorator[Decimal]):
    """A `Decimal` amount of reais stored as an integer number of cents.

    Integers are exact on every database and SQLite has no decimal type (SQLAlchemy warns when a
    `Numeric` goes through it as a float). Amounts with fractions of a cent are refused, not rounded:
    rounding is a business rule and belongs to the caller (`bot.formatos.centavos`).
    """

    impl = BigInteger
    cache_ok = True

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if not isinstance(value, Decimal | int) or isinstance(value, bool):
            raise TypeError(f"Dinheiro espera Decimal, recebeu {type(value).__name__}: {value!r}")
        cents = Decimal(value) * 100
        if cents != cents.to_integral_value():
            raise ValueError(f"valor com fração de centavo: {value!r} (arredonde com centavos())")
        return int(cents)

    def process_literal_param(self, value: Decimal | None, dialect: Dialect) -> str:
        cents = self.process_bind_param(value, dialect)
        return "NULL" if cents is None else str(cents)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / 100).quantize(Decimal("0.01"))


class InstanteUTC(TypeDecorator[datetime]):
    """A timezone-aware instant stored as naive UTC; naive datetimes are refused on write.

    Naive UTC keeps SQLite (no time zones) and PostgreSQL `timestamp` identical, and refusing naive
    values catches a local wall-clock time before it is stored as if it were UTC.
    """

    impl = DateTime(timezone=False)
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        return datetime

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError(f"datetime sem fuso horário: {value!r} (use datetime.now(UTC))")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Json(TypeDecorator[JsonValue]):
    """A JSON object or array; Python `None` is SQL NULL, not the JSON literal `null`.

    Changes made in place (`memoria["x"] = 1`) are not detected: assign a new dict/list.
    """

    impl = JSON
    cache_ok = True

    def __init__(self) -> None:
        super().__init__(none_as_null=True)

    def __repr__(self) -> str:
        return "Json()"  # how alembic renders the type in migrations
