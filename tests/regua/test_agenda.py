"""Planning, pure: which steps are due, conditions from the fixed vocabulary, channel choice, caps across items."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.calendario import fuso
from bot.config.regua import Alvo, Condicoes, Regua
from bot.regua.agenda import Cobravel, DevedorRegua, condicoes_ok, planejar
from tests.apoio.projetos import projeto_padrao

DIA = date(2026, 11, 23)  # Monday
MARIA = DevedorRegua(1, "39053344705", "Maria da Silva", "SP", "varejo", telefone="+5511987654321")


def _item(ref: int, vencimento: date, alvo: Alvo = Alvo.PARCELA, valor: str = "100") -> Cobravel:
    return Cobravel(alvo, ref, 1, vencimento, Decimal(valor), 2, 6, "C-1", 10)


@pytest.mark.parametrize(
    ("condicoes", "esperado"),
    [
        (Condicoes(), True),
        (Condicoes(segmento=("varejo",)), True),
        (Condicoes(segmento=("servicos",)), False),
        (Condicoes(valor_min=Decimal("150")), False),
        (Condicoes(valor_max=Decimal("150")), True),
        (Condicoes(dias_atraso_min=5, dias_atraso_max=15), True),
        (Condicoes(tem_acordo=True), False),
        (Condicoes(ultima_resposta="nenhuma"), True),
        (Condicoes(ultima_resposta="alguma"), False),
    ],
)
def test_condicoes(condicoes: Condicoes, esperado: bool) -> None:
    assert condicoes_ok(condicoes, MARIA, _item(1, DIA), DIA) is esperado


def test_passos_do_dia_com_canal_e_limite_diario() -> None:
    regua = projeto_padrao().config.regua
    itens = [_item(1, date(2026, 11, 24)), _item(2, date(2026, 11, 24), Alvo.ACORDO), _item(3, date(2026, 12, 1))]
    linhas = planejar(regua, {1: MARIA}, itens, DIA, "Loja", {})
    assert [(ln.passo.nome, ln.pedido.canal if ln.pedido else None) for ln in linhas] == [
        ("vespera", "whatsapp"),
        ("acordo_vespera", "whatsapp"),
    ]
    assert linhas[0].quando == datetime(2026, 11, 23, 12, tzinfo=UTC) and linhas[0].motivo is None
    assert linhas[1].motivo == "limite diário (1) atingido"  # deferred to Tuesday, reason kept
    assert linhas[0].pedido is not None
    assert linhas[0].pedido.conteudo()[1:] == ("lembrete_amanha", ("Maria",))


def test_sem_destino_e_opt_out_aparecem_no_plano() -> None:
    regua = projeto_padrao().config.regua
    sem_canal = DevedorRegua(2, "71942836708", "João", "RJ")
    saiu = DevedorRegua(
        3, "39053344705", "Ana", "BA", telefone="+5571999999999", optout_em=datetime(2026, 11, 1, tzinfo=UTC)
    )
    itens = [
        Cobravel(Alvo.PARCELA, 9, 2, date(2026, 11, 24), Decimal(1)),
        Cobravel(Alvo.PARCELA, 8, 3, date(2026, 11, 24), Decimal(1)),
    ]
    motivos = [ln.motivo for ln in planejar(regua, {2: sem_canal, 3: saiu}, itens, DIA, "Loja", {})]
    assert motivos == ["sem destino para whatsapp, telegram, email", "opt-out em 01/11/2026"]


def test_valor_so_com_mostrar_valor() -> None:
    passo = {"nome": "x", "dia": 0, "canais": ["email"], "modelos": {"email": {"texto": "Valor: {valor}"}}}
    with pytest.raises(ValueError, match=r"ligue regua\.mostrar_valor = true"):
        Regua.model_validate({"passos": [passo]})
    assert Regua.model_validate({"passos": [passo], "mostrar_valor": True}).mostrar_valor


# 22:30 in Brasília on the plan's day: in UTC it is already the next day. Each debtor zone (AC −5; AM, RO, RR,
# MT, MS −4; the rest −3) is past its window, so the reminder is deferred to the next morning, with its reason.
_NOITE_BRASILIA = datetime(2026, 11, 23, 22, 30, tzinfo=ZoneInfo("America/Sao_Paulo"))


@pytest.mark.parametrize("uf", ["AC", "AM", "RO", "RR", "MT", "MS", "SP", "BA", "PE", "RS"])
@pytest.mark.parametrize("agora", [_NOITE_BRASILIA.astimezone(UTC), _NOITE_BRASILIA], ids=["utc", "brasilia"])
def test_adiado_para_amanha_tem_motivo_em_qualquer_fuso(uf: str, agora: datetime) -> None:
    regua = projeto_padrao().config.regua
    devedor = DevedorRegua(1, "39053344705", "Maria da Silva", uf, "varejo", telefone="+5511987654321")
    (linha,) = planejar(regua, {1: devedor}, [_item(1, date(2026, 11, 24))], DIA, "Loja", {}, agora)
    assert linha.quando is not None and linha.motivo is not None  # deferred to another day: it says why
    local = linha.quando.astimezone(fuso(uf))
    assert local.date() == date(2026, 11, 24) and local.hour == regua.politica.horario_de(uf).inicio


def test_condicao_de_ultima_resposta_conta_o_dia_no_fuso_do_devedor() -> None:
    """A reply at 22:00 in Rio Branco is 03:00 UTC of the next day: it is still the reply of that day there."""
    resposta = datetime(2026, 11, 22, 22, tzinfo=ZoneInfo("America/Rio_Branco"))
    acre = DevedorRegua(1, "39053344705", "Maria", "AC", ultima_entrada=resposta.astimezone(UTC))
    assert condicoes_ok(Condicoes(dias_sem_resposta_min=1), acre, _item(1, DIA), DIA)
