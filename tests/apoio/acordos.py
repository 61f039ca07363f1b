"""Agreements in the database for the tests: two R$ 100 installments (24/11 and 24/12/2026), bare or on the régua."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dados.banco import sessao
from bot.dados.carteira import ler_carteira
from bot.dados.fila import enfileirar
from bot.dados.importacao import importar_carteira
from bot.dados.modelos import (
    Acordo,
    AcordoOrigem,
    AcordoParcela,
    Conversa,
    Devedor,
    DocumentoPagamento,
    Parcela,
)
from bot.disparo.comando import plano_do_dia
from bot.pagamentos.confirmacao import Confirmacao
from bot.pagamentos.documentos import nosso_numero_novo
from tests.apoio.projetos import projeto_padrao

VENCIMENTOS = (date(2026, 11, 24), date(2026, 12, 24))
CARTEIRA_DE_MARIA = """cpf;nome;telefone;uf;nascimento;email;segmento;contrato;descricao;parcela;valor;vencimento
390.533.447-05;Maria da Silva Santos;(11) 98765-4321;SP;14/03/1985;maria@example.com;varejo;C-1;Carnê;1;200;10/10/2026
"""
DIA = date(2026, 11, 23)  # Monday; agreement installment 1 is due Tuesday: step "acordo_vespera" (D-1)
OITO_EM_SP = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
NOVE_EM_SP = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


async def acordo_em_duas_parcelas(s: AsyncSession, devedor_id: int, chave: str, canal: str = "web") -> int:
    """Add the agreement (and the conversation it was closed in) to the session, flushed; returns its id."""
    conversa = Conversa(devedor_id=devedor_id, canal=canal, estado="pagamento")
    s.add(conversa)
    await s.flush()
    assert conversa.id is not None
    acordo = Acordo(devedor_id=devedor_id, conversa_id=conversa.id, faixa="f", opcao=1, tipo="parcelado",
                    valor_original=Decimal(200), desconto=Decimal(0), valor_negociado=Decimal(200),
                    total=Decimal(200), juros_mensal_percentual="0", chave=chave)  # fmt: skip
    s.add(acordo)
    await s.flush()
    assert acordo.id is not None
    for numero, vencimento in enumerate(VENCIMENTOS, start=1):
        s.add(AcordoParcela(acordo_id=acordo.id, numero=numero, valor=Decimal(100), vencimento=vencimento))
    return acordo.id


async def acordo_na_regua(engine: AsyncEngine, canal: str = "whatsapp") -> None:
    """Maria's original debt renegotiated in two installments of R$ 100 on `canal`; a document for the first."""
    async with sessao(engine) as s:
        await importar_carteira(s, ler_carteira(CARTEIRA_DE_MARIA))
        devedor = (await s.exec(select(Devedor))).one()
        original = (await s.exec(select(Parcela))).one()
        original.situacao = "negociada"
        assert devedor.id is not None and original.id is not None
        conversa = Conversa(devedor_id=devedor.id, canal=canal, estado="pagamento", iniciada_em=OITO_EM_SP,
                            atualizada_em=OITO_EM_SP)  # fmt: skip
        s.add_all([original, conversa])
        await s.flush()
        assert conversa.id is not None
        acordo = Acordo(devedor_id=devedor.id, conversa_id=conversa.id, faixa="f", opcao=1, tipo="parcelado",
                        valor_original=Decimal(200), desconto=Decimal(0), valor_negociado=Decimal(200),
                        total=Decimal(200), juros_mensal_percentual="0", chave="a1")  # fmt: skip
        s.add(acordo)
        await s.flush()
        assert acordo.id is not None
        s.add(AcordoOrigem(acordo_id=acordo.id, parcela_id=original.id))
        for numero, vencimento in enumerate(VENCIMENTOS, start=1):
            s.add(AcordoParcela(acordo_id=acordo.id, numero=numero, valor=Decimal(100), vencimento=vencimento))
        nosso_numero = await nosso_numero_novo(s, OITO_EM_SP)  # "0000000001"; codes left for a PSP to fill
        s.add(DocumentoPagamento(acordo_id=acordo.id, acordo_parcela_numero=1, nosso_numero=nosso_numero,
                                 txid="1234567" + nosso_numero, valor=Decimal(100), vencimento=VENCIMENTOS[0],
                                 codigo_barras="", linha_digitavel="", pix=""))  # fmt: skip
        await s.commit()
    regua = projeto_padrao().config.regua
    linhas = await plano_do_dia(engine, regua, "Loja", DIA, datetime(2026, 11, 23, 3, tzinfo=UTC))
    async with sessao(engine) as s:
        assert await enfileirar(s, regua, linhas) == 1


def confirmacao_do_asaas(id_provedor: str = "pay_1") -> Confirmacao:
    """The PSP's word that installment 1 of that agreement was paid in full on DIA."""
    return Confirmacao("asaas", id_provedor, "webhook", "1", Decimal(100), DIA)
