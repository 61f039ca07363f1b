"""`pagar` and `import-pagamentos` as a user runs them (in-process through `bot.cli.main`) on a real database."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.dados.banco import criar_engine, migrar, sessao
from bot.dados.cobrancas import PagamentoRecebido
from bot.dados.modelos import Acordo, AcordoParcela, DocumentoPagamento, Mensagem, Parcela
from bot.dados.saida import Saida
from tests.apoio.bancos import Bancos
from tests.apoio.cli import bot


@pytest.fixture(scope="module")
def modelo_com_acordo(banco_semeado: str | Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str | Path]:
    """The example portfolio and Maria's agreement, closed through `chat` once for the module; tests copy it."""
    fabrica = Bancos(tmp_path_factory.mktemp("acordo"))
    db = fabrica.copia(banco_semeado, "acordo")
    falas = ("oi", "sim", "390", "esqueci", "sim", "sim")
    resultado = bot("chat", "--cpf", "390.533.447-05", "--json", entrada="\n".join(falas) + "\n", db=db)
    assert resultado.returncode == 0, resultado.stderr
    assert "/p/" in json.loads(resultado.stdout.splitlines()[-1])["text"]
    yield fabrica.criados[-1] if fabrica.criados else fabrica.pasta / "acordo.db"
    fabrica.limpar()


@pytest.fixture
def db(modelo_com_acordo: str | Path, bancos: Bancos) -> str:
    """A copy of the module's database with Maria's agreement and its payment document."""
    return bancos.copia(modelo_com_acordo, "teste")


def consultar(db: str) -> tuple[Acordo, list[AcordoParcela], DocumentoPagamento, list[PagamentoRecebido], Mensagem]:
    async def ler() -> tuple[Acordo, list[AcordoParcela], DocumentoPagamento, list[PagamentoRecebido], Mensagem]:
        engine = criar_engine(db)
        async with sessao(engine) as s:
            acordo = (await s.exec(select(Acordo))).one()
            parcelas = list((await s.exec(select(AcordoParcela).order_by(col(AcordoParcela.numero)))).all())
            documento = (await s.exec(select(DocumentoPagamento).order_by(col(DocumentoPagamento.id)))).first()
            pagamentos = list((await s.exec(select(PagamentoRecebido))).all())
            ultima = (await s.exec(select(Mensagem).order_by(col(Mensagem.id).desc()))).first()
        await engine.dispose()
        assert ultima is not None and documento is not None
        return acordo, parcelas, documento, pagamentos, ultima

    return asyncio.run(ler())


def agradecimentos(db: str) -> list[Saida]:
    async def ler() -> list[Saida]:
        engine = criar_engine(db)
        async with sessao(engine) as s:
            linhas = list((await s.exec(select(Saida).where(Saida.passo == "agradecimento"))).all())
        await engine.dispose()
        return linhas

    return asyncio.run(ler())


def test_pagar_parcial_depois_o_resto_e_repetir_nao_muda_nada(tmp_path: Path, db: str) -> None:
    _, _, documento, _, _ = consultar(db)
    parcial = bot("pagar", documento.nosso_numero, "--valor", "100,00", "--data", "24/11/2026", db=db)
    assert parcial.returncode == 0, parcial.stderr
    assert re.search(r"falta pagar R\$\xa0\d{1,3}(?:\.\d{3})*,\d{2} desta parcela", parcial.stdout)  # pt-BR money
    acordo, parcelas, _, pagamentos, ultima = consultar(db)
    assert acordo.situacao == "ativo" and parcelas[0].situacao == "aberta"
    assert not ultima.texto.startswith("Recebemos")  # a CLI chat is not a channel the bot can write to later
    [agradecimento] = agradecimentos(db)
    assert (agradecimento.canal, agradecimento.destino, agradecimento.situacao) == (
        "whatsapp",
        "+5511987654321",
        "pendente",
    )
    assert "Ainda faltam" in agradecimento.texto

    resto = bot("pagar", documento.txid, db=db)
    assert "quitado" in resto.stdout, resto.stderr
    de_novo = bot("pagar", documento.nosso_numero, db=db)
    assert "já está pago" in de_novo.stdout
    acordo, parcelas, _, pagamentos, ultima = consultar(db)
    assert acordo.situacao == "pago" and {p.situacao for p in parcelas} == {"paga"}
    assert sum(p.valor for p in pagamentos) == documento.valor
    assert [a.texto.startswith("Recebemos seu pagamento") for a in agradecimentos(db)] == [True, True]


def test_pagar_documento_inexistente_e_valor_invalido(tmp_path: Path, db: str) -> None:
    desconhecido = bot("pagar", "999", db=db)
    assert desconhecido.returncode == 1
    assert "documento não encontrado: '999'" in desconhecido.stderr
    ruim = bot("pagar", "999", "--valor", "abc", db=db)
    assert ruim.returncode == 2 and "valor inválido: 'abc'" in ruim.stderr


def test_importar_retorno_valida_tudo_e_reimportar_nao_muda_nada(tmp_path: Path, db: str) -> None:
    _, _, documento, _, _ = consultar(db)
    ruim = tmp_path / "ruim.csv"
    ruim.write_text("documento;valor;data\n12a;10,00;2026-11-24\n1;-5;amanhã\n1;2\n", encoding="utf-8")
    recusado = bot("import-pagamentos", str(ruim), db=db)
    assert recusado.returncode == 1
    assert f"{ruim}:2: coluna 'documento'" in recusado.stderr
    assert f"{ruim}:3: coluna 'valor'" in recusado.stderr and f"{ruim}:3: coluna 'data'" in recusado.stderr
    assert f"{ruim}:4: esperados 3 campos, encontrados 2" in recusado.stderr
    assert consultar(db)[3] == []

    arquivo = tmp_path / "retorno.csv"
    valor = str(documento.valor).replace(".", ",")
    arquivo.write_text(f'documento,valor,data\n{documento.txid},"{valor}",24/11/2026\n', encoding="utf-8")
    primeira = bot("import-pagamentos", str(arquivo), db=db)
    assert primeira.returncode == 0, primeira.stderr
    assert "1 pagamento(s) registrado(s), 0 já conhecido(s)" in primeira.stdout
    segunda = bot("import-pagamentos", str(arquivo), db=db)
    assert "0 pagamento(s) registrado(s), 1 já conhecido(s)" in segunda.stdout
    acordo, _, _, pagamentos, _ = consultar(db)
    assert acordo.situacao == "pago" and len(pagamentos) == 1


def test_retorno_com_colunas_erradas(tmp_path: Path, bancos: Bancos) -> None:
    arquivo = tmp_path / "r.csv"
    arquivo.write_text("nosso_numero;valor\n1;2\n", encoding="utf-8")
    db = bancos.vazio("vazio")
    migrar(db)  # an existing (empty) database: a missing one is refused before the file is read
    resultado = bot("import-pagamentos", str(arquivo), db=db)
    assert resultado.returncode == 1
    assert "faltam as colunas documento, data; colunas desconhecidas: nosso_numero" in resultado.stderr


def test_quebrar_acordo_atrasado_reabre_a_divida(tmp_path: Path, db: str) -> None:
    _, parcelas, _, _, _ = consultar(db)
    no_prazo = bot("quebrar-acordos", db=db)
    assert "0 acordo(s) quebrado(s)" in no_prazo.stdout, no_prazo.stderr
    dia = parcelas[0].vencimento.toordinal() + 30
    tarde = date.fromordinal(dia).isoformat() + "T12:00:00-03:00"
    quebrado = bot("--now", tarde, "quebrar-acordos", db=db)
    assert "1 acordo(s) quebrado(s)" in quebrado.stdout, quebrado.stderr
    assert "0 acordo(s)" in bot("--now", tarde, "quebrar-acordos", db=db).stdout

    async def originais() -> set[str]:
        engine = criar_engine(db)
        async with sessao(engine) as s:
            situacoes = {p.situacao for p in (await s.exec(select(Parcela))).all()}
        await engine.dispose()
        return situacoes

    assert consultar(db)[0].situacao == "quebrado"
    assert asyncio.run(originais()) == {"aberta"}


def test_quebrar_acordo_abate_o_que_ja_foi_pago(db: str) -> None:
    """What the debtor paid on the agreement is deducted from the reopened debt, oldest installment first."""
    _, parcelas, documento, _, _ = consultar(db)
    assert documento.valor > Decimal("500.00")
    pago = bot("pagar", documento.nosso_numero, "--valor", "500,00", "--data", "24/11/2026", db=db)
    assert "falta pagar" in pago.stdout, pago.stderr
    tarde = date.fromordinal(parcelas[0].vencimento.toordinal() + 30).isoformat() + "T12:00:00-03:00"
    assert "1 acordo(s) quebrado(s)" in bot("--now", tarde, "quebrar-acordos", db=db).stdout

    async def originais() -> list[tuple[date, str, Decimal | None, Decimal]]:
        engine = criar_engine(db)
        async with sessao(engine) as s:
            linhas = (await s.exec(select(Parcela).order_by(col(Parcela.vencimento)))).all()
        await engine.dispose()
        return [(p.vencimento, p.situacao, p.valor_pago, p.em_aberto) for p in linhas]

    reabertas = asyncio.run(originais())
    vencidas = [p for p in reabertas if p[2] is not None]
    assert vencidas[0][1:] == ("paga", Decimal("489.90"), Decimal("0.00"))
    assert vencidas[1][1:] == ("aberta", Decimal("10.10"), Decimal("479.80"))
    assert sum(p[2] or Decimal(0) for p in vencidas) == Decimal("500.00")
    assert all(p[1] == "aberta" and p[2] is None for p in reabertas if p not in vencidas)
    saldo = bot("--now", tarde, "chat", "--cpf", "390.533.447-05", "--json", entrada="oi\nsim\n390\nsaldo\n", db=db)
    assert "479,80" in saldo.stdout, saldo.stdout
