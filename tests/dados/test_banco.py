"""Column types, schema and migrations, engine set-up and the query helpers, on a migrated SQLite file."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dados import repositorio
from bot.dados.banco import config_alembic, criar_engine, migrar, revisao_final, sessao, sqlite_em_dia, url_padrao
from bot.dados.modelos import (
    Acordo,
    Contrato,
    Conversa,
    Devedor,
    Direcao,
    Mensagem,
    Parcela,
    SituacaoParcela,
    Transferencia,
)
from bot.dados.tipos import Dinheiro, InstanteUTC, Json
from tests.apoio.bancos import Bancos

AGORA = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def _devedor(cpf: str = "39053344705", telefone: str | None = "+5511987654321", **extra: Any) -> Devedor:
    return Devedor(cpf=cpf, nome="Maria da Silva Santos", telefone=telefone, uf="SP", **extra)


async def _com_parcelas(
    engine: AsyncEngine, *parcelas: tuple[str, int, date, str], valor: Decimal = Decimal("100")
) -> int:
    """A debtor with (contract, number, due date, status) installments; returns the debtor id."""
    async with sessao(engine) as s:
        devedor = _devedor()
        s.add(devedor)
        await s.flush()
        contratos: dict[str, Contrato] = {}
        for numero_contrato, numero, vencimento, situacao in parcelas:
            if numero_contrato not in contratos:
                contratos[numero_contrato] = Contrato(
                    devedor_id=_id(devedor), numero=numero_contrato, descricao=f"desc {numero_contrato}"
                )
                s.add(contratos[numero_contrato])
                await s.flush()
            contrato_id = _id(contratos[numero_contrato])
            s.add(
                Parcela(
                    contrato_id=contrato_id,
                    numero=numero,
                    valor=valor,
                    vencimento=vencimento,
                    situacao=situacao,
                )
            )
        await s.commit()
        return _id(devedor)


def _id(registro: Devedor | Contrato | Conversa) -> int:
    assert registro.id is not None, "flush before reading the id"
    return registro.id


async def _conversa(s: AsyncSession, devedor_id: int, canal: str = "web") -> int:
    conversa = Conversa(devedor_id=devedor_id, canal=canal, estado="")
    s.add(conversa)
    await s.flush()
    return _id(conversa)


async def _bruto(engine: AsyncEngine, sql: str) -> Any:
    """A value as stored, below the column types."""
    async with engine.connect() as conexao:
        return (await conexao.exec_driver_sql(sql)).scalar_one()


# --- types


@pytest.mark.parametrize("valor", [Decimal("1234.56"), Decimal("0.01"), Decimal("99999999999.99"), Decimal("7")])
async def test_dinheiro_ida_e_volta_exata_em_centavos(engine: AsyncEngine, valor: Decimal) -> None:
    await _com_parcelas(engine, ("C-1", 1, date(2026, 10, 10), "aberta"), valor=valor)
    async with sessao(engine) as s:
        lida = (await s.exec(select(Parcela))).one()
    assert lida.valor == valor and str(lida.valor) == f"{valor:.2f}"
    assert await _bruto(engine, "SELECT valor FROM parcela") == int(valor * 100)


@pytest.mark.parametrize(
    ("valor", "erro"),
    [(Decimal("10.005"), ValueError), (10.5, TypeError), (True, TypeError)],
)
def test_dinheiro_recusa_fracao_de_centavo_e_float(valor: Any, erro: type[Exception]) -> None:
    with pytest.raises(erro):
        Dinheiro().process_bind_param(valor, sqlite.dialect())


def test_instante_recusa_datetime_sem_fuso() -> None:
    with pytest.raises(ValueError, match="sem fuso horário"):
        InstanteUTC().process_bind_param(datetime(2026, 11, 23, 11, 0), sqlite.dialect())


async def test_instante_recusado_ao_gravar(engine: AsyncEngine) -> None:
    async with sessao(engine) as s:
        s.add(_devedor(criado_em=datetime(2026, 11, 23, 11, 0)))
        with pytest.raises(StatementError, match="sem fuso horário"):
            await s.commit()


async def test_instante_gravado_em_utc_e_lido_com_fuso(engine: AsyncEngine) -> None:
    sao_paulo = datetime(2026, 11, 23, 11, 0, tzinfo=timezone(timedelta(hours=-3)))
    async with sessao(engine) as s:
        devedor = _devedor(optout_em=sao_paulo)
        s.add(devedor)
        await s.commit()
    async with sessao(engine) as s:
        lido = await s.get(Devedor, devedor.id)
    bruto = await _bruto(engine, "SELECT optout_em FROM devedor")
    # SQLite keeps text, PostgreSQL a `timestamp without time zone`: both hold the UTC wall time.
    assert str(bruto) in {"2026-11-23 14:00:00.000000", "2026-11-23 14:00:00"}
    assert lido is not None and lido.optout_em == sao_paulo and lido.optout_em.tzinfo is UTC


async def test_json_ida_e_volta(engine: AsyncEngine) -> None:
    devedor_id = await _com_parcelas(engine)
    memoria = {"estado": "oferta", "tentativas": 2, "plano": {"parcelas": [1, 2]}}
    async with sessao(engine) as s:
        conversa = Conversa(devedor_id=devedor_id, canal="web", estado="oferta", memoria=memoria)
        s.add(conversa)
        await s.flush()
        conversa_id = _id(conversa)
        s.add(
            Mensagem(
                conversa_id=conversa_id,
                direcao="saida",
                canal="web",
                texto="Oi",
                opcoes=["Sim", "Não"],
                status="enviada",
            )
        )
        await s.commit()
    async with sessao(engine) as s:
        lida = await s.get(Conversa, conversa_id)
        mensagem = (await s.exec(select(Mensagem))).one()
    assert lida is not None and lida.memoria == memoria
    assert mensagem.opcoes == ["Sim", "Não"]
    assert repr(Json()) == "Json()"


def test_tipos_no_postgresql() -> None:
    dialeto = postgresql.dialect()  # type: ignore[no-untyped-call]  # SQLAlchemy's dialect class is unannotated
    assert Dinheiro().load_dialect_impl(dialeto).compile(dialect=dialeto) == "BIGINT"
    assert InstanteUTC().load_dialect_impl(dialeto).compile(dialect=dialeto) == "TIMESTAMP WITHOUT TIME ZONE"


# --- schema and migrations


def _diferencas(conexao: Connection) -> list[Any]:
    contexto = MigrationContext.configure(conexao, opts={"compare_type": True})
    return list(compare_metadata(contexto, SQLModel.metadata))


async def test_migracoes_iguais_aos_modelos(engine: AsyncEngine) -> None:
    async with engine.connect() as conexao:
        assert await conexao.run_sync(_diferencas) == []


def test_migracoes_descem_e_sobem(bancos: Bancos) -> None:
    url = bancos.vazio("vaivem")
    migrar(url)
    command.downgrade(config_alembic(url), "base")
    migrar(url)


def test_url_padrao_e_pasta_criada(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert url_padrao() == "sqlite+aiosqlite:///data/cobranca.db"
    migrar(url_padrao())
    assert (tmp_path / "data" / "cobranca.db").is_file()


async def test_pragmas_sqlite(tmp_path: Path) -> None:
    """SQLite-only settings: checked on a SQLite file even when the suite runs on PostgreSQL."""
    engine = criar_engine(f"sqlite+aiosqlite:///{tmp_path / 'pragmas.db'}")
    async with engine.connect() as conexao:
        valores = [
            (await conexao.exec_driver_sql(f"PRAGMA {nome}")).scalar_one()
            for nome in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
        ]
    await engine.dispose()
    assert valores == ["wal", 1, 0, 1]  # busy: retried on the loop (bot/dados/sqlite_laco.py), never blocking it


async def test_chave_estrangeira_vale(engine: AsyncEngine) -> None:
    async with sessao(engine) as s:
        s.add(Contrato(devedor_id=999, numero="C-1"))
        with pytest.raises(IntegrityError, match=r"(?i)foreign key"):
            await s.commit()


async def test_situacao_fora_do_vocabulario_recusada(engine: AsyncEngine) -> None:
    with pytest.raises(IntegrityError, match="ck_parcela_situacao"):
        await _com_parcelas(engine, ("C-1", 1, date(2026, 10, 10), "quitada"))


async def test_dono_da_conversa(engine: AsyncEngine) -> None:
    devedor_id = await _com_parcelas(engine)
    async with sessao(engine) as s:
        s.add(Conversa(devedor_id=devedor_id, canal="web", estado="", dono="agente:ana"))
        await s.commit()
        s.add(Conversa(devedor_id=devedor_id, canal="cli", estado="", dono="robô"))
        with pytest.raises(IntegrityError, match="ck_conversa_dono"):
            await s.commit()


async def test_mensagem_de_entrada_gravada_uma_vez(engine: AsyncEngine) -> None:
    devedor_id = await _com_parcelas(engine)
    async with sessao(engine) as s:
        conversa_id = await _conversa(s, devedor_id, "whatsapp")

        def mensagem(direcao: Direcao, id_externo: str | None) -> Mensagem:
            return Mensagem(
                conversa_id=conversa_id,
                direcao=direcao,
                canal="whatsapp",
                texto="oi",
                id_externo=id_externo,
                status="recebida",
            )

        # Outbound messages without a provider id yet do not collide (NULLs are distinct).
        s.add_all(
            [
                mensagem(Direcao.ENTRADA, "wamid.1"),
                mensagem(Direcao.SAIDA, None),
                mensagem(Direcao.SAIDA, None),
            ]
        )
        await s.commit()
        s.add(mensagem(Direcao.ENTRADA, "wamid.1"))
        with pytest.raises(IntegrityError, match=r"(?i)unique"):
            await s.commit()


async def test_uma_conversa_por_devedor_e_canal(engine: AsyncEngine) -> None:
    devedor_id = await _com_parcelas(engine)
    async with sessao(engine) as s:
        s.add(Conversa(devedor_id=devedor_id, canal="web", estado=""))
        await s.commit()
        s.add(Conversa(devedor_id=devedor_id, canal="web", estado=""))
        with pytest.raises(IntegrityError, match=r"(?i)unique"):
            await s.commit()


async def test_versao_da_conversa_barra_escrita_concorrente(engine: AsyncEngine) -> None:
    devedor_id = await _com_parcelas(engine)
    async with sessao(engine) as s:
        conversa = Conversa(devedor_id=devedor_id, canal="web", estado="inicio")
        s.add(conversa)
        await s.commit()
    assert conversa.versao == 1
    async with sessao(engine) as a, sessao(engine) as b:
        primeira, segunda = await a.get(Conversa, conversa.id), await b.get(Conversa, conversa.id)
        assert primeira is not None and segunda is not None
        primeira.estado = "oferta"
        await a.commit()
        assert primeira.versao == 2
        segunda.estado = "identidade"
        with pytest.raises(StaleDataError):
            await b.commit()


async def test_acordo_com_a_mesma_chave_uma_vez(engine: AsyncEngine) -> None:
    devedor_id = await _com_parcelas(engine)
    async with sessao(engine) as s:
        conversa_id = await _conversa(s, devedor_id)

        def acordo() -> Acordo:
            return Acordo(
                devedor_id=devedor_id,
                conversa_id=conversa_id,
                faixa="recente",
                opcao=1,
                tipo="a_vista",
                valor_original=Decimal("200.00"),
                desconto=Decimal("20.00"),
                valor_negociado=Decimal("180.00"),
                total=Decimal("180.00"),
                juros_mensal_percentual="0",
                chave="conversa-1-opcao-1",
            )

        s.add(acordo())
        await s.commit()
        s.add(acordo())
        with pytest.raises(IntegrityError, match=r"(?i)unique"):
            await s.commit()


# --- query helpers


async def test_devedor_por_cpf_aceita_pontuacao(engine: AsyncEngine) -> None:
    devedor_id = await _com_parcelas(engine)
    async with sessao(engine) as s:
        devedor = await repositorio.devedor_por_cpf(s, "390.533.447-05")
        assert devedor is not None and devedor.id == devedor_id
        assert await repositorio.devedor_por_cpf(s, "719.428.367-08") is None


async def test_devedor_por_telefone_ignora_numero_errado(engine: AsyncEngine) -> None:
    async with sessao(engine) as s:
        s.add_all(
            [
                _devedor("39053344705"),
                _devedor("71942836708"),
                _devedor("52873914637", telefone_invalido=True),
                _devedor("83617240526", telefone="+5571992345678"),
            ]
        )
        await s.commit()
        encontrados = await repositorio.devedor_por_telefone(s, "+5511987654321")
    assert [d.cpf for d in encontrados] == ["39053344705", "71942836708"]


async def test_parcelas_abertas_em_ordem_de_vencimento(engine: AsyncEngine) -> None:
    devedor_id = await _com_parcelas(
        engine,
        ("C-2", 1, date(2026, 9, 5), "aberta"),
        ("C-1", 2, date(2026, 11, 10), "aberta"),
        ("C-1", 1, date(2026, 10, 10), SituacaoParcela.PAGA),
        ("C-1", 3, date(2026, 8, 10), SituacaoParcela.NEGOCIADA),
    )
    async with sessao(engine) as s:
        abertas = await repositorio.parcelas_abertas(s, devedor_id)
        assert await repositorio.parcelas_abertas(s, devedor_id + 1) == []
    assert [(p.contrato_numero, p.parcela.numero, p.contrato_descricao) for p in abertas] == [
        ("C-2", 1, "desc C-2"),
        ("C-1", 2, "desc C-1"),
    ]
    assert abertas[0].parcela.valor == Decimal("100.00")


async def test_fila_mais_antiga_primeiro(engine: AsyncEngine) -> None:
    devedor_id = await _com_parcelas(engine)
    async with sessao(engine) as s:
        conversa_id = await _conversa(s, devedor_id)
        for minutos, motivo, situacao in [
            (5, "pedido", "aguardando"),
            (1, "contestacao", "aguardando"),
            (0, "proposta", "encerrada"),
        ]:
            s.add(
                Transferencia(
                    conversa_id=conversa_id,
                    devedor_id=devedor_id,
                    motivo=motivo,
                    situacao=situacao,
                    criada_em=AGORA + timedelta(minutes=minutos),
                )
            )
        await s.commit()
        itens = await repositorio.fila(s)
    assert [(i.transferencia.motivo, i.devedor.nome) for i in itens] == [
        ("contestacao", "Maria da Silva Santos"),
        ("pedido", "Maria da Silva Santos"),
    ]
    assert itens[0].transferencia.dados == {}


def test_instancias_migram_ao_mesmo_tempo(bancos: Bancos) -> None:
    """Several instances start together and each runs `migrar`: all succeed and the schema is at head once."""
    url = bancos.vazio("juntas")
    comando = [sys.executable, "-m", "bot.dados", "migrar", url]
    processos = [subprocess.Popen(comando, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    erros = [p.communicate(timeout=120)[1] for p in processos]
    assert [p.returncode for p in processos] == [0, 0, 0], erros


def test_bancosqlite_em_dia_dispensa_o_alembic(bancos: Bancos) -> None:
    """The start-up shortcut: the migration files' head (read without alembic) is alembic's own head, and a
    SQLite file is 'up to date' only at that revision."""
    url = bancos.vazio("em_dia")
    assert revisao_final() == ScriptDirectory.from_config(config_alembic(url)).get_current_head()
    if not url.startswith("sqlite"):
        assert not sqlite_em_dia(url)  # the shortcut is SQLite's only: PostgreSQL goes through alembic
        return
    assert not sqlite_em_dia(url)  # no file yet
    migrar(url)
    assert sqlite_em_dia(url)
    command.downgrade(config_alembic(url), "-1")
    assert not sqlite_em_dia(url)
    migrar(url)  # not up to date: alembic runs and brings it to the head
    assert sqlite_em_dia(url)
