"""One owner numbers every payment document: a counter no two issuers share, backed by unique columns.

Runs on SQLite and, in CI, again on PostgreSQL; "servers" are separate engines on the same database.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.boleto_pix.pix import pix_valido
from bot.dados.banco import config_alembic, criar_engine, migrar, sessao
from bot.dados.cobrancas import NumeroDocumento, TokenPagamento
from bot.dados.modelos import Acordo, AcordoParcela, Devedor, DocumentoPagamento
from bot.pagamentos.documentos import Documentos, documento_atual, emitir
from tests.apoio.acordos import acordo_em_duas_parcelas
from tests.apoio.bancos import Bancos
from tests.apoio.leituras import documentos_gravados
from tests.apoio.projetos import projeto_padrao

PROJETO = projeto_padrao()
AGORA = datetime(2026, 11, 23, 13, tzinfo=UTC)  # Monday 10:00 in São Paulo
SERVIDORES = 3


async def _acordos(engine: AsyncEngine, quantos: int) -> list[int]:
    """`quantos` debtors, each with an active two-installment agreement and no document yet."""
    ids = []
    async with sessao(engine) as s:
        for n in range(quantos):
            devedor = Devedor(cpf=f"{n:011d}", nome=f"Devedor {n}", uf="SP")
            s.add(devedor)
            await s.flush()
            assert devedor.id is not None
            ids.append(await acordo_em_duas_parcelas(s, devedor.id, f"acordo-{n}"))
        await s.commit()
    return ids


async def test_servidores_ao_mesmo_tempo_nunca_repetem_nosso_numero_nem_txid(engine: AsyncEngine) -> None:
    """Several servers issue documents for many agreements at once, and all ask for the same one too."""
    acordos = await _acordos(engine, 12)
    url = engine.url.render_as_string(hide_password=False)
    servidores = [criar_engine(url) for _ in range(SERVIDORES)]
    try:
        donos = [Documentos(e, PROJETO.config) for e in servidores]
        pedidos = [donos[i % SERVIDORES].garantir(a, AGORA) for i, a in enumerate(acordos)]
        pedidos += [dono.garantir(acordos[0], AGORA) for dono in donos]  # the same installment, three times
        ids = await asyncio.gather(*pedidos)
    finally:
        for servidor in servidores:
            await servidor.dispose()
    documentos = await documentos_gravados(engine)
    assert len(documentos) == len(acordos)  # one per agreement, however many asked
    assert set(ids) == {d.id for d in documentos}
    assert len({d.nosso_numero for d in documentos}) == len({d.txid for d in documentos}) == len(acordos)
    assert all(len(d.nosso_numero) == 10 and d.txid == PROJETO.config.pagamentos.convenio + d.nosso_numero
               for d in documentos)  # fmt: skip
    assert all(pix_valido(d.pix) for d in documentos)
    async with sessao(engine) as s:
        tokens = (await s.exec(select(TokenPagamento.documento_id))).all()
        numeros = (await s.exec(select(NumeroDocumento.id))).all()
    assert sorted(tokens) == sorted(d.id for d in documentos if d.id is not None)
    assert all(d.id is not None for d in documentos)
    assert {int(d.nosso_numero) for d in documentos} <= set(numeros)  # every number came from the counter


async def test_quem_leu_o_estado_antigo_colide_com_o_documento_emitido_no_meio_em_vez_de_emitir_outro(
    engine: AsyncEngine,
) -> None:
    """The race CI once caught on PostgreSQL: a caller reads "no document", another issues and commits one, and
    the first must collide on the unique columns (then retry and find it), never issue a second document."""
    [acordo_id] = await _acordos(engine, 1)
    async with sessao(engine) as s:
        acordo = await s.get(Acordo, acordo_id)
        assert acordo is not None
        parcela = (await s.exec(select(AcordoParcela).where(AcordoParcela.acordo_id == acordo_id))).first()
        assert parcela is not None
        atual = await documento_atual(s, acordo_id, parcela.numero)
        assert atual is None  # what this caller saw
        servidor = criar_engine(engine.url.render_as_string(hide_password=False))
        try:
            outro = await Documentos(servidor, PROJETO.config).garantir(acordo_id, AGORA)  # commits meanwhile
        finally:
            await servidor.dispose()
        assert outro is not None
        with pytest.raises(IntegrityError):
            await emitir(s, PROJETO.config.pagamentos, acordo, parcela, parcela.vencimento, "SP", AGORA, anterior=atual)
    assert [d.id for d in await documentos_gravados(engine)] == [outro]
    assert await Documentos(engine, PROJETO.config).garantir(acordo_id, AGORA) == outro


@pytest.mark.parametrize("coluna", ["nosso_numero", "txid", "emissao"])
async def test_o_banco_recusa_o_mesmo_numero_txid_ou_emissao_duas_vezes(engine: AsyncEngine, coluna: str) -> None:
    [acordo] = await _acordos(engine, 1)
    assert await Documentos(engine, PROJETO.config).garantir(acordo, AGORA) is not None
    [primeiro] = await documentos_gravados(engine)
    outro: dict[str, object] = {
        "nosso_numero": "0000099999",
        "txid": "12345670000099999",
        "acordo_parcela_numero": 2,
        "emissao": 1,
    }
    copias: dict[str, dict[str, object]] = {
        "nosso_numero": {"nosso_numero": primeiro.nosso_numero},
        "txid": {"txid": primeiro.txid},
        "emissao": {"acordo_parcela_numero": 1},
    }
    copiado = copias[coluna]
    async with sessao(engine) as s:
        dados = primeiro.model_dump(exclude={"id"}) | outro | copiado
        s.add(DocumentoPagamento(**dados))
        with pytest.raises(IntegrityError):
            await s.commit()


async def test_documentos_de_antes_da_migracao_nao_tem_o_numero_repetido(bancos: Bancos) -> None:
    """Numbers from the three older schemes stay taken: the counter starts after the largest; renewals are
    numbered in the order they were issued."""
    url = bancos.vazio("legado")
    migrar(url)
    engine = criar_engine(url)
    try:
        [acordo] = await _acordos(engine, 1)
        await engine.dispose()
        await asyncio.to_thread(command.downgrade, config_alembic(url), "0014")
        antigos = [("0000012001", 1), ("9000000102", 1), ("0000012500", 1)]  # bot, console, renewal
        async with engine.begin() as conexao:
            for nosso_numero, parcela in antigos:
                await conexao.execute(
                    text(
                        "INSERT INTO documento_pagamento (acordo_id, acordo_parcela_numero, nosso_numero, txid, valor,"
                        " vencimento, codigo_barras, linha_digitavel, pix, criado_em) VALUES (:a, :p, :n, :t, 100,"
                        " '2026-11-24', '', '', '', '2026-11-23 13:00:00')"
                    ),
                    {"a": acordo, "p": parcela, "n": nosso_numero, "t": "1234567" + nosso_numero},
                )
        await engine.dispose()
        migrar(url)
        documentos = await documentos_gravados(engine)
        assert [d.emissao for d in documentos] == [1, 2, 3]
        async with sessao(engine) as s:  # the third one expired long ago: a renewal takes the next number
            s.add(TokenPagamento(token="x" * 32, documento_id=documentos[-1].id or 0, valido_ate=date(2026, 11, 1)))
            await s.commit()
        novo_id = await Documentos(engine, PROJETO.config).garantir(acordo, AGORA)
        novo = (await documentos_gravados(engine))[-1]
        assert novo.id == novo_id and (novo.emissao, novo.nosso_numero) == (4, "9000000103")
    finally:
        await engine.dispose()
