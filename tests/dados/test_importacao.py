"""Portfolio CSV: every validation error with its line, and the all-or-nothing, re-runnable import."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from bot.dados.banco import sessao
from bot.dados.importacao import (
    ErroLinha,
    ImportacaoRecusada,
    LeituraCarteira,
    ResumoImportacao,
    importar_carteira,
    ler_carteira,
)
from bot.dados.modelos import Contrato, Devedor, Parcela, SituacaoParcela

RAIZ = Path(__file__).resolve().parents[2]
DADOS = Path(__file__).parents[1] / "data"
AGORA = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
CABECALHO = "cpf;nome;telefone;uf;contrato;parcela;valor;vencimento"
MARIA = "390.533.447-05;Maria da Silva Santos;(11) 98765-4321;SP"
JOAO = "719.428.367-08;João Pedro Oliveira;(21) 99812-3456;RJ"


def _ler(nome: str) -> LeituraCarteira:
    return ler_carteira((DADOS / nome).read_text(encoding="utf-8"), nome)


def _csv(*linhas: str) -> LeituraCarteira:
    return ler_carteira("\n".join((CABECALHO, *linhas)) + "\n")


async def _importar(engine: AsyncEngine, leitura: LeituraCarteira, pular_invalidas: bool = False) -> ResumoImportacao:
    async with sessao(engine) as s:
        return await importar_carteira(s, leitura, pular_invalidas, agora=AGORA)


async def _contar(engine: AsyncEngine, modelo: Any) -> int:
    async with sessao(engine) as s:
        return (await s.exec(select(func.count()).select_from(modelo))).one()


async def _parcelas(engine: AsyncEngine) -> list[tuple[str, int, Decimal, date, str]]:
    async with sessao(engine) as s:
        consulta = (
            select(Contrato.numero, Parcela)
            .join(Contrato, col(Parcela.contrato_id) == col(Contrato.id))
            .order_by(col(Contrato.numero), col(Parcela.numero))
        )
        linhas = (await s.exec(consulta)).all()
    return [(numero, p.numero, p.valor, p.vencimento, p.situacao) for numero, p in linhas]


def _cpf(base: int) -> str:
    """A valid CPF from nine digits (mod-11 check digits)."""
    digitos = f"{base:09d}"
    for tamanho in (9, 10):
        soma = sum(int(d) * peso for d, peso in zip(digitos, range(tamanho + 1, 1, -1), strict=True))
        digitos += str(0 if soma % 11 < 2 else 11 - soma % 11)
    return digitos


# --- reading


ERROS_POR_ARQUIVO = {
    "carteira_cpf_invalido.csv": ["4: coluna 'cpf': CPF inválido (valor: '123')"],
    "carteira_telefone_invalido.csv": [
        "3: coluna 'telefone': telefone inválido, esperado DDD + número, ex. (11) 98765-4321 (valor: '(00) 1234')"
    ],
    "carteira_uf_invalida.csv": [
        "2: coluna 'uf': UF inválida, esperada a sigla de um dos 27 estados, ex. SP (valor: 'XX')"
    ],
    "carteira_parcela_invalida.csv": [
        "2: coluna 'parcela': parcela deve ser um número inteiro positivo (valor: '0')",
        "3: coluna 'parcela': parcela deve ser um número inteiro positivo (valor: 'dois')",
    ],
    "carteira_valor_invalido.csv": [
        "2: coluna 'valor': valor inválido, esperado como 1234.56 ou 1.234,56 (valor: 'cem reais')",
        "3: coluna 'valor': valor deve ser maior que zero (valor: '0,00')",
    ],
    "carteira_data_invalida.csv": [
        "2: coluna 'vencimento': data inválida, esperada AAAA-MM-DD ou dd/mm/aaaa (valor: '31/02/2026')"
    ],
    "carteira_email_e_nascimento_invalidos.csv": [
        "2: coluna 'email': e-mail inválido, esperado nome@dominio (valor: 'maria.example.com')",
        "3: coluna 'nascimento': data inválida, esperada AAAA-MM-DD ou dd/mm/aaaa (valor: '1985-13-01')",
    ],
    "carteira_parcela_repetida.csv": [
        "4: coluna 'parcela': parcela repetida no contrato, já está na linha 2 (valor: '1')"
    ],
    "carteira_nome_divergente.csv": [
        "3: coluna 'nome': o mesmo CPF tem nome 'Maria da Silva Santos' na linha 2 (valor: 'Maria Souza')"
    ],
    "carteira_contrato_dois_cpfs.csv": [
        "3: coluna 'contrato': contrato já pertence ao CPF ***.533.447-** na linha 2 (valor: 'C-1')"
    ],
    "carteira_coluna_desconhecida.csv": [
        "1: coluna 'observacao': coluna desconhecida; esperadas: cpf, nome, telefone, uf, contrato, parcela, "
        "valor, vencimento, telegram_id, email, nascimento, segmento, descricao"
    ],
    "carteira_colunas_ausentes.csv": ["1: colunas obrigatórias ausentes: telefone, uf, vencimento"],
    "carteira_campos_a_mais.csv": [
        "2: esperados 8 campos, encontrados 9",
        "3: esperados 8 campos, encontrados 7",
    ],
    "carteira_campos_vazios.csv": [
        "2: coluna 'valor': campo obrigatório vazio",
        "3: coluna 'nome': campo obrigatório vazio",
        "3: coluna 'telefone': informe o telefone (ou o telegram_id)",
    ],
}


@pytest.mark.parametrize(("arquivo", "esperados"), ERROS_POR_ARQUIVO.items())
def test_erros_com_linha_e_mensagem(arquivo: str, esperados: list[str]) -> None:
    leitura = _ler(arquivo)
    assert [str(erro) for erro in leitura.erros] == [f"{arquivo}:{esperado}" for esperado in esperados]
    assert not {erro.linha for erro in leitura.erros} & {linha.linha for linha in leitura.linhas}


def test_erro_se_le_como_arquivo_linha_coluna() -> None:
    erro = ErroLinha(7, "cpf", "123", "CPF inválido")
    assert str(erro) == "carteira.csv:7: coluna 'cpf': CPF inválido (valor: '123')"
    assert str(ErroLinha(3, None, "", "esperados 8 campos, encontrados 2", "x.csv")) == (
        "x.csv:3: esperados 8 campos, encontrados 2"
    )


def test_virgula_e_ponto_e_virgula_leem_o_mesmo() -> None:
    virgula, ponto_e_virgula = _ler("carteira_virgula.csv"), _ler("carteira_ponto_e_virgula.csv")
    assert virgula.erros == [] and ponto_e_virgula.erros == []
    # BOM, CRLF, blank and all-empty lines change nothing but the line numbers.
    assert [replace(linha, linha=0) for linha in virgula.linhas] == [
        replace(linha, linha=0) for linha in ponto_e_virgula.linhas
    ]
    assert [linha.linha for linha in virgula.linhas] == [2, 3, 4]
    assert [linha.linha for linha in ponto_e_virgula.linhas] == [3, 5, 6]
    maria, _, joao = virgula.linhas
    assert (maria.cpf, maria.telefone, maria.uf, maria.valor, maria.vencimento) == (
        "39053344705",
        "+5511987654321",
        "SP",
        Decimal("1234.56"),
        date(2026, 10, 10),
    )
    assert maria.descricao == "Carnê loja, unidade Centro"
    assert (joao.telefone, joao.telegram_id) == (None, "123456789")


def test_cpf_sem_zeros_a_esquerda_da_planilha() -> None:
    cpf = _cpf(1234567)  # 001.234.567-xx
    leitura = _csv(f"{int(cpf)};Fulano;(11) 98765-4321;SP;C-1;1;10;2026-10-10")
    assert leitura.erros == [] and leitura.linhas[0].cpf == cpf


def test_arquivo_vazio() -> None:
    assert [str(e) for e in ler_carteira("\ufeff\n\n").erros] == ["carteira.csv:1: arquivo vazio ou sem cabeçalho"]


def test_nome_com_outra_caixa_e_o_mesmo_nome() -> None:
    leitura = _csv(
        f"{MARIA};C-1;1;10;2026-10-10",
        "390.533.447-05;MARIA DA SILVA  SANTOS;(11) 98765-4321;SP;C-1;2;10;2026-11-10",
    )
    assert leitura.erros == [] and len(leitura.linhas) == 2


def test_telegram_id_de_dois_cpfs() -> None:
    leitura = ler_carteira(f"{CABECALHO};telegram_id\n{MARIA};C-1;1;10;2026-10-10;42\n{JOAO};C-2;1;10;2026-10-10;42\n")
    assert [str(e) for e in leitura.erros] == [
        "carteira.csv:3: coluna 'telegram_id': telegram_id já pertence ao CPF ***.533.447-** na linha 2 (valor: '42')"
    ]


# --- importing


async def test_importa_a_carteira_de_exemplo(engine: AsyncEngine) -> None:
    exemplo = RAIZ / "exemplos" / "carteira.csv"
    leitura = ler_carteira(exemplo.read_text(encoding="utf-8"), exemplo.name)
    assert leitura.erros == []
    resumo = await _importar(engine, leitura)
    assert (resumo.devedores_novos, resumo.parcelas_novas, resumo.linhas_ignoradas) == (8, 18, 0)
    async with sessao(engine) as s:
        devedores = (await s.exec(select(Devedor).order_by(col(Devedor.uf)))).all()
        maria = (await s.exec(select(Devedor).where(Devedor.cpf == "39053344705"))).one()
    assert sorted(d.uf for d in devedores) == sorted(["SP", "RJ", "MG", "BA", "AM", "RS", "PE", "MT"])
    assert {d.segmento for d in devedores} == {"varejo", "servicos"}
    assert (maria.nome, maria.telefone, maria.nascimento) == (
        "Maria da Silva Santos",
        "+5511987654321",
        date(1985, 3, 14),
    )
    vencidas = [p for p in await _parcelas(engine) if p[0] == "CARNE-10234"]
    assert [(valor, vencimento < AGORA.date()) for _, _, valor, vencimento, _ in vencidas] == [
        (Decimal("489.90"), True),
        (Decimal("489.90"), True),
    ]
    atrasos = sorted((AGORA.date() - p[3]).days for p in await _parcelas(engine))
    assert atrasos[0] < 0 and any(5 <= d <= 20 for d in atrasos) and any(60 <= d <= 200 for d in atrasos)


async def test_reimportar_atualiza_sem_duplicar(engine: AsyncEngine) -> None:
    primeira = _csv(
        f"{MARIA};C-1;1;100,00;10/10/2026", f"{MARIA};C-1;2;100,00;10/11/2026", f"{JOAO};C-2;1;50;2026-10-05"
    )
    assert await _importar(engine, primeira) == ResumoImportacao(devedores_novos=2, parcelas_novas=3)
    assert await _importar(engine, primeira) == ResumoImportacao(parcelas_mantidas=3)
    segunda = _csv(
        "390.533.447-05;Maria da Silva Santos;(11) 91234-5678;SP;C-1;1;100,00;10/10/2026",
        f"{MARIA.replace('98765-4321', '91234-5678')};C-1;2;120,00;20/11/2026",
        f"{MARIA.replace('98765-4321', '91234-5678')};C-1;3;120,00;20/12/2026",
        f"{JOAO};C-2;1;50;2026-10-05",
    )
    assert await _importar(engine, segunda) == ResumoImportacao(
        devedores_atualizados=1, parcelas_novas=1, parcelas_atualizadas=1, parcelas_mantidas=2
    )
    assert await _contar(engine, Devedor) == 2
    assert await _parcelas(engine) == [
        ("C-1", 1, Decimal("100.00"), date(2026, 10, 10), "aberta"),
        ("C-1", 2, Decimal("120.00"), date(2026, 11, 20), "aberta"),
        ("C-1", 3, Decimal("120.00"), date(2026, 12, 20), "aberta"),
        ("C-2", 1, Decimal("50.00"), date(2026, 10, 5), "aberta"),
    ]
    async with sessao(engine) as s:
        maria = (await s.exec(select(Devedor).where(Devedor.cpf == "39053344705"))).one()
    assert maria.telefone == "+5511912345678"


async def test_parcela_paga_ou_negociada_nao_reabre(engine: AsyncEngine) -> None:
    await _importar(engine, _csv(f"{MARIA};C-1;1;100;2026-10-10", f"{MARIA};C-1;2;100;2026-11-10"))
    async with sessao(engine) as s:
        for parcela in (await s.exec(select(Parcela))).all():
            parcela.situacao = SituacaoParcela.PAGA if parcela.numero == 1 else SituacaoParcela.NEGOCIADA
            s.add(parcela)
        await s.commit()
    resumo = await _importar(engine, _csv(f"{MARIA};C-1;1;999;2026-12-10", f"{MARIA};C-1;2;999;2026-12-10"))
    assert (resumo.parcelas_atualizadas, resumo.parcelas_mantidas) == (0, 2)
    assert await _parcelas(engine) == [
        ("C-1", 1, Decimal("100.00"), date(2026, 10, 10), "paga"),
        ("C-1", 2, Decimal("100.00"), date(2026, 11, 10), "negociada"),
    ]


async def test_campo_vazio_nao_apaga_e_telefone_novo_limpa_numero_errado(engine: AsyncEngine) -> None:
    cabecalho = f"{CABECALHO};email;telegram_id"
    await _importar(engine, ler_carteira(f"{cabecalho}\n{MARIA};C-1;1;100;2026-10-10;maria@example.com;42\n"))
    async with sessao(engine) as s:
        maria = (await s.exec(select(Devedor))).one()
        maria.telefone_invalido = True
        s.add(maria)
        await s.commit()
    await _importar(engine, ler_carteira(f"{cabecalho}\n{MARIA};C-1;1;100;2026-10-10;;\n"))
    async with sessao(engine) as s:
        maria = (await s.exec(select(Devedor))).one()
    assert (maria.email, maria.telegram_id, maria.telefone_invalido) == ("maria@example.com", "42", True)
    await _importar(engine, _csv("390.533.447-05;Maria da Silva Santos;11 91234-5678;SP;C-1;1;100;2026-10-10"))
    async with sessao(engine) as s:
        maria = (await s.exec(select(Devedor))).one()
    assert (maria.telefone, maria.telefone_invalido) == ("+5511912345678", False)
    assert maria.atualizado_em == AGORA


async def test_tudo_ou_nada(engine: AsyncEngine) -> None:
    leitura = _ler("carteira_cpf_invalido.csv")
    with pytest.raises(ImportacaoRecusada) as recusa:
        await _importar(engine, leitura)
    assert recusa.value.erros == leitura.erros
    assert "carteira_cpf_invalido.csv:4: coluna 'cpf': CPF inválido" in str(recusa.value)
    assert await _contar(engine, Devedor) == 0 and await _contar(engine, Parcela) == 0
    resumo = await _importar(engine, leitura, pular_invalidas=True)
    assert (resumo.devedores_novos, resumo.parcelas_novas, resumo.linhas_ignoradas) == (1, 2, 1)
    assert resumo.erros == leitura.erros
    assert str(resumo) == (
        "devedores: 1 novos, 0 atualizados; parcelas: 2 novas, 0 atualizadas, 0 mantidas; linhas ignoradas: 1"
    )


async def test_cabecalho_errado_recusado_mesmo_pulando_invalidas(engine: AsyncEngine) -> None:
    with pytest.raises(ImportacaoRecusada):
        await _importar(engine, _ler("carteira_colunas_ausentes.csv"), pular_invalidas=True)


async def test_contrato_de_outro_cpf_no_banco(engine: AsyncEngine) -> None:
    await _importar(engine, _csv(f"{MARIA};C-1;1;100;2026-10-10"))
    leitura = _csv(f"{JOAO};C-1;2;100;2026-11-10", f"{JOAO};C-2;1;100;2026-11-10")
    with pytest.raises(ImportacaoRecusada) as recusa:
        await _importar(engine, leitura)
    assert [str(e) for e in recusa.value.erros] == [
        "carteira.csv:2: coluna 'contrato': contrato já cadastrado no banco para o CPF ***.533.447-** (valor: 'C-1')"
    ]
    assert await _contar(engine, Devedor) == 1
    resumo = await _importar(engine, leitura, pular_invalidas=True)
    assert (resumo.devedores_novos, resumo.parcelas_novas, resumo.linhas_ignoradas) == (1, 1, 1)


async def test_telegram_id_de_outro_cpf_no_banco(engine: AsyncEngine) -> None:
    cabecalho = f"{CABECALHO};telegram_id"
    await _importar(engine, ler_carteira(f"{cabecalho}\n{MARIA};C-1;1;100;2026-10-10;42\n"))
    with pytest.raises(ImportacaoRecusada, match="telegram_id já cadastrado no banco"):
        await _importar(engine, ler_carteira(f"{cabecalho}\n{JOAO};C-2;1;100;2026-10-10;42\n"))


@contextmanager
def _contando_comandos(engine: AsyncEngine) -> Iterator[list[str]]:
    comandos: list[str] = []

    def registrar(_conexao: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        comandos.append(sql)

    event.listen(engine.sync_engine, "before_cursor_execute", registrar)
    try:
        yield comandos
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", registrar)


def _carteira_grande(devedores: int, parcelas: int, valor: str = "150,00") -> str:
    linhas = [CABECALHO]
    for i in range(devedores):
        cpf = _cpf(100_000_000 + i)
        linhas += [f"{cpf};Devedor {i};(11) 9{i:08d};SP;K-{i};{n};{valor};10/10/2026" for n in range(1, parcelas + 1)]
    return "\n".join(linhas)


async def test_lotes_sem_consulta_por_linha(engine: AsyncEngine) -> None:
    leitura = ler_carteira(_carteira_grande(1500, 3))
    assert leitura.erros == [] and len(leitura.linhas) == 4500
    with _contando_comandos(engine) as comandos:
        resumo = await _importar(engine, leitura)
    assert (resumo.devedores_novos, resumo.parcelas_novas) == (1500, 4500)
    assert len(comandos) < 40, comandos
    with _contando_comandos(engine) as comandos:
        resumo = await _importar(engine, ler_carteira(_carteira_grande(1500, 3, "175,00")))
    assert (resumo.parcelas_atualizadas, await _contar(engine, Parcela)) == (4500, 4500)
    assert len(comandos) < 40, comandos
