"""The default flow, path by path, through the pure engine (no database, no clock)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config.erros import ConfigInvalida
from bot.conversa.fatos import NovoAcordo, NumeroErrado, OptOut, PausarCobranca, RegistrarEvento, Transferir
from bot.formatos import brl
from bot.projeto import Projeto, carregar_projeto
from tests.apoio.dialogo import Dialogo, fatos_maria
from tests.apoio.projetos import projeto_padrao
from tests.apoio.relogio import AGORA

DINHEIRO = re.compile(r"R\$")


def identificada(d: Dialogo) -> str:
    d.diz("oi")
    d.diz("sim")
    return d.texto("390")


def test_saudacao_nomeia_credor_e_cnpj_sem_valores(dialogo: Dialogo) -> None:
    respostas = dialogo.diz("oi")
    texto = respostas[0].texto
    assert "Loja Exemplo Comércio Ltda." in texto
    assert "11.222.333/0001-81" in texto
    assert "Maria" in texto
    assert not DINHEIRO.search(texto) and "150" not in texto
    assert [o.titulo for o in respostas[0].opcoes] == ["Sim, sou eu", "Não sou eu"]
    assert dialogo.estado == "saudacao"


def test_identidade_correta_mostra_saldo_linha_a_linha(dialogo: Dialogo) -> None:
    dialogo.diz("oi")
    assert "3 primeiros dígitos" in dialogo.texto("sim")
    texto = dialogo.texto("390")
    assert dialogo.estado == "saldo"
    assert dialogo.memoria.identidade_ok
    # 150,00 due 40 days ago: multa 3,00 and juros 150 × 1 % / 30 × 40 = 2,00
    assert "R$\xa0150,00" in texto
    assert "Multa (2%): R$\xa03,00" in texto
    assert "R$\xa02,00" in texto
    assert "40 dias de atraso" in texto
    assert "Total atualizado hoje" in texto
    assert RegistrarEvento("identidade_ok", {"fator": "cpf"}) in dialogo.efeitos


def test_cpf_completo_tambem_confirma(dialogo: Dialogo) -> None:
    dialogo.diz("oi")
    dialogo.diz("sou eu sim")
    dialogo.diz("390.533.447-05")
    assert dialogo.estado == "saldo"


def test_identidade_errada_bloqueia_e_transfere_sem_revelar(dialogo: Dialogo) -> None:
    dialogo.diz("oi")
    dialogo.diz("sim")
    textos = [dialogo.texto(tentativa) for tentativa in ("123", "456", "789")]
    assert "2 tentativas" in textos[0]
    assert "1 tentativa" in textos[1]
    assert dialogo.estado == "bloqueado"
    assert Transferir("identidade", {"texto": "789"}) in dialogo.efeitos
    assert not any(DINHEIRO.search(t) for t in textos)
    assert not dialogo.memoria.identidade_ok


def test_data_de_nascimento_quando_configurada(projeto: Projeto) -> None:
    identidade = projeto.config.identidade.model_copy(update={"metodo": "ambos"})
    config = projeto.config.model_copy(update={"identidade": identidade})
    motor = projeto.motor.__class__(config, projeto.motor.fluxo, projeto.motor.classificador, projeto.motor.textos)
    d = Dialogo(motor, fatos_maria())
    d.diz("oi")
    d.diz("sim")
    assert "data de nascimento" in d.texto("390")
    assert d.estado == "identificacao"
    d.diz("12/05/1980")
    assert d.estado == "saldo"


def test_nao_sou_eu_marca_numero_e_nao_revela_nada(dialogo: Dialogo) -> None:
    dialogo.diz("oi")
    texto = dialogo.texto("nao sou eu, numero errado")
    assert dialogo.estado == "confirmar_numero"
    texto += dialogo.texto("isso, nao e meu numero")
    assert dialogo.estado == "numero_errado"
    assert not DINHEIRO.search(texto) and "Mensalidade" not in texto
    assert any(isinstance(e, NumeroErrado) for e in dialogo.efeitos)


def test_optout_em_qualquer_ponto(dialogo: Dialogo) -> None:
    identificada(dialogo)
    texto = dialogo.texto("PARAR")
    assert dialogo.estado == "optout"
    assert "não vai mais receber" in texto
    assert any(isinstance(e, OptOut) for e in dialogo.efeitos)


def test_optout_antes_da_identidade(dialogo: Dialogo) -> None:
    dialogo.texto("nao quero mais receber mensagens")
    assert dialogo.estado == "optout"


def test_atendente_em_qualquer_ponto(dialogo: Dialogo) -> None:
    dialogo.diz("oi")
    dialogo.diz("sim")
    dialogo.texto("quero falar com um atendente")
    assert dialogo.estado == "transferido"
    assert any(isinstance(e, Transferir) and e.motivo == "pedido" for e in dialogo.efeitos)


def test_contestacao_pausa_e_transfere(dialogo: Dialogo) -> None:
    identificada(dialogo)
    dialogo.diz("nao reconheco essa cobranca")
    assert dialogo.estado == "transferido"
    assert PausarCobranca("contestacao") in dialogo.efeitos
    assert any(isinstance(e, Transferir) and e.motivo == "contestacao" for e in dialogo.efeitos)


def test_ja_paguei_pergunta_quando_e_pede_conferencia(dialogo: Dialogo) -> None:
    identificada(dialogo)
    pergunta = dialogo.texto("ja paguei")
    assert "quando e como" in pergunta and "*comprovante* (o print ou o PDF do app do banco)" in pergunta
    dialogo.diz("paguei dia 10 pelo pix")
    assert dialogo.estado == "verificacao"
    assert PausarCobranca("ja_paguei") in dialogo.efeitos
    assert any(isinstance(e, Transferir) and e.motivo == "ja_paguei" for e in dialogo.efeitos)
    assert any(isinstance(e, RegistrarEvento) and e.tipo == "pagamento_informado" for e in dialogo.efeitos)


def test_motivo_registrado_e_oferta_a_vista_primeiro(dialogo: Dialogo) -> None:
    identificada(dialogo)
    texto = dialogo.texto("esqueci")
    assert dialogo.memoria.motivo == "esqueci"
    assert dialogo.estado == "oferta"
    assert "À vista" in texto
    assert dialogo.memoria.opcao == 0


def test_cada_recusa_concede_um_passo_ate_o_limite(dialogo: Dialogo) -> None:
    identificada(dialogo)
    dialogo.diz("esqueci")
    opcoes = [dialogo.memoria.opcao]
    for _ in range(5):
        dialogo.diz("nao consigo")
        opcoes.append(dialogo.memoria.opcao)
        if dialogo.estado != "oferta":
            break
    # tier "atraso" (31-180 days) has three options: each refusal concedes exactly one
    assert opcoes[:3] == [0, 1, 2]
    assert dialogo.estado == "sem_acordo"
    dialogo.diz("sim")
    assert dialogo.estado == "transferido"


def test_acordo_completo_com_boleto_e_pix(dialogo: Dialogo) -> None:
    identificada(dialogo)
    dialogo.diz("esqueci")
    confirmacao = dialogo.texto("sim")
    assert dialogo.estado == "confirmacao"
    assert "Total do acordo" in confirmacao
    pagamento = dialogo.texto("confirmo")
    assert dialogo.estado == "pagamento"
    acordo = next(e for e in dialogo.efeitos if isinstance(e, NovoAcordo))
    plano = acordo.plano
    assert acordo.origem == (1, 2)
    # The engine states the terms; the document (codes, page, PDF) is issued by `bot.pagamentos` (test_servico).
    assert "Acordo registrado" in pagamento and brl(plano.entrada.valor) in pagamento
    assert all(r.documento is None for d in dialogo.decisoes for r in d.respostas)


def test_confirmacao_mostra_cronograma_inteiro(dialogo: Dialogo) -> None:
    identificada(dialogo)
    dialogo.diz("esqueci")
    dialogo.diz("quero parcelar")
    texto = dialogo.texto("sim")
    plano = dialogo.memoria.plano
    assert plano is not None
    assert plano.tipo == "parcelado"
    assert texto.count("vence") == plano.quantidade
    assert sum(p.valor for p in plano.parcelas) == plano.total


def test_proposta_por_parcelas_dentro_do_livro(dialogo: Dialogo) -> None:
    identificada(dialogo)
    dialogo.diz("esqueci")
    dialogo.diz("da pra fazer em 4x?")
    assert dialogo.estado == "confirmacao"
    assert dialogo.memoria.plano is not None and dialogo.memoria.plano.quantidade == 4


@pytest.mark.parametrize(
    ("proposta", "como"), [("sim", "à vista, {total}"), ("da pra fazer em 4x?", "em 4x, total de {total}")]
)
def test_acordo_ouvido_num_audio_e_repetido_como_entendido(dialogo: Dialogo, proposta: str, como: str) -> None:
    identificada(dialogo)
    dialogo.diz("esqueci")
    dialogo.diz(proposta)
    plano = dialogo.memoria.plano
    assert dialogo.estado == "confirmacao" and plano is not None
    (pergunta,) = dialogo.diz("sim, pode fechar", falada=True)
    entendido = como.format(total=brl(plano.total))
    assert pergunta.texto == f"Ouvi seu áudio e entendi que você quer *fechar o acordo* {entendido}. Certo?"
    assert [o.titulo for o in pergunta.opcoes] == ["Confirmo", "Voltar"]
    assert dialogo.estado == "confirmacao" and not any(isinstance(e, NovoAcordo) for e in dialogo.efeitos)
    dialogo.diz("Confirmo", opcao="sim")
    assert any(isinstance(e, NovoAcordo) for e in dialogo.efeitos)


def test_sim_em_duvida_digitado_repete_o_acordo(dialogo: Dialogo) -> None:
    ate_a_confirmacao(dialogo)
    plano = dialogo.memoria.plano
    assert plano is not None
    assert f"você *confirma* o acordo como está (à vista, {brl(plano.total)})?" in dialogo.texto("sim?")
    assert not any(isinstance(e, NovoAcordo) for e in dialogo.efeitos)


def test_check_exige_a_confirmacao_do_acordo(copia: Path) -> None:
    (copia / "mensagens" / "confirmar_acordo.j2").unlink()
    with pytest.raises(ConfigInvalida) as excecao:
        carregar_projeto(copia / "config.toml")
    (erro,) = excecao.value.erros
    assert str(copia / "mensagens" / "confirmar_acordo.j2") in str(erro) and "obrigatória ausente" in str(erro)


@pytest.mark.parametrize(
    ("texto", "pergunta"),
    [
        (
            "PARAR",
            "Ouvi seu áudio e entendi que você quer *parar de receber* nossas mensagens. Certo? Se for isso, toque "
            'em "Parar mensagens".',
        ),
        ("isso, nao e meu numero", "Ouvi seu áudio e entendi que este número *não* é de Maria. Certo?"),
    ],
)
def test_outra_intencao_custosa_ouvida_e_repetida(dialogo: Dialogo, texto: str, pergunta: str) -> None:
    dialogo.diz("oi")
    dialogo.diz("nao sou eu, numero errado")  # typed: asks "este número é de Maria?"
    respostas = dialogo.diz(texto, falada=True)
    assert respostas[-1].texto == pergunta
    assert not any(isinstance(e, (OptOut, NumeroErrado)) for e in dialogo.efeitos)


def test_proposta_fora_do_livro_vira_contraproposta_e_depois_pessoa(dialogo: Dialogo) -> None:
    identificada(dialogo)
    dialogo.diz("esqueci")
    texto = dialogo.texto("consigo pagar em 40 vezes")
    assert dialogo.estado == "contraproposta"
    assert "40x eu não consigo" in texto
    dialogo.diz("nao")
    assert dialogo.estado == "transferido"
    transferencia = next(e for e in dialogo.efeitos if isinstance(e, Transferir))
    assert transferencia.motivo == "proposta"
    assert transferencia.dados["proposta"]["parcelas"] == 40


def test_proposta_de_valor_mensal(dialogo: Dialogo) -> None:
    identificada(dialogo)
    dialogo.diz("sem dinheiro")
    dialogo.diz("consigo 60 reais por mes")
    plano = dialogo.memoria.plano
    assert plano is not None
    assert dialogo.estado == "confirmacao"
    assert plano.parcela_regular <= Decimal("60")


def test_data_pedida_move_o_vencimento(dialogo: Dialogo) -> None:
    identificada(dialogo)
    dialogo.diz("esqueci")
    dialogo.diz("consigo pagar dia 30")
    plano = dialogo.memoria.plano
    assert plano is not None
    assert plano.entrada.vencimento.day == 30
    texto = dialogo.texto("so consigo pagar daqui a 3 meses, dia 20 de fevereiro")
    assert "até 10 dias" in texto


def test_botao_por_numero(dialogo: Dialogo) -> None:
    dialogo.diz("oi")
    dialogo.diz("1")
    assert dialogo.estado == "identificacao"


def test_incompreensao_reapresenta_opcoes_depois_oferece_pessoa_e_por_fim_transfere(dialogo: Dialogo) -> None:
    dialogo.diz("oi")
    primeira = dialogo.diz("asdkjh qwe")
    assert "não entendi" in primeira[0].texto and "1. Sim, sou eu" in primeira[0].texto
    segunda = dialogo.diz("zzz")
    assert "pessoa" in segunda[0].texto
    assert "Falar com atendente" in [o.titulo for o in segunda[0].opcoes]
    dialogo.diz("???")
    dialogo.diz("...")
    assert dialogo.estado == "transferido"
    assert any(isinstance(e, Transferir) and e.motivo == "incompreensao" for e in dialogo.efeitos)


def test_sessao_expirada_pede_identidade_de_novo(dialogo: Dialogo) -> None:
    identificada(dialogo)
    dialogo.agora = AGORA + timedelta(hours=25)
    dialogo.diz("oi")
    assert dialogo.estado == "saudacao"
    assert not dialogo.memoria.identidade_ok


def test_sem_pendencias(projeto: Projeto) -> None:
    d = Dialogo(projeto.motor, fatos_maria(dias_atraso=(-5,)))
    texto = identificada(d)
    assert d.estado == "sem_pendencias"
    assert "não há nada vencido" in texto


def test_parcela_vencida_no_fim_de_semana_nao_atrasa_antes_do_dia_util(projeto: Projeto) -> None:
    # due Saturday 2026-11-21; on Monday 23 it is payable without charges (Lei 7.089/1983)
    d = Dialogo(projeto.motor, fatos_maria(dias_atraso=(2,)))
    identificada(d)
    assert d.estado == "sem_pendencias"


MENSAGENS = st.sampled_from(
    [
        "oi",
        "sim",
        "nao",
        "123",
        "456",
        "quanto devo?",
        "me manda o boleto",
        "qual o valor",
        "parcelar",
        "10x",
        "consigo 200 por mes",
        "ja paguei",
        "esqueci",
        "nao sou eu",
        "bom dia",
        "???",
        "😀",
        "",
        "dia 10",
    ]
)


# "No amount before identity" is fuzzed from every pre-identity state in tests/conversa/test_motor_fuzz.py.


@settings(max_examples=100, deadline=None)
@given(st.lists(MENSAGENS | st.text(max_size=60), min_size=1, max_size=25))
def test_qualquer_sequencia_nunca_quebra_nem_fica_presa(mensagens: list[str]) -> None:
    projeto = projeto_padrao()
    d = Dialogo(projeto.motor, fatos_maria())
    identificada(d)
    for mensagem in mensagens:
        respostas = d.diz(mensagem)
        assert d.estado in projeto.motor.fluxo.estados
        assert respostas, f"sem resposta para {mensagem!r} no estado {d.estado}"
        assert d.memoria.incompreensoes < 2 * projeto.config.conversa.max_incompreensoes


def test_numero_errado_so_depois_de_confirmar(dialogo: Dialogo) -> None:
    dialogo.diz("oi")
    assert "este número é de Maria?" in dialogo.texto("nao")
    assert dialogo.estado == "confirmar_numero"
    assert not any(isinstance(e, NumeroErrado) for e in dialogo.efeitos)
    dialogo.diz("é meu sim, sou eu")
    assert dialogo.estado == "identificacao"


def test_cpf_digitado_por_extenso_ou_com_letra_o(dialogo: Dialogo) -> None:
    dialogo.diz("oi")
    dialogo.diz("eu mesma")
    dialogo.diz("tres nove zero")
    assert dialogo.estado == "saldo"


def test_proposta_a_vista_abaixo_do_livro_vira_contraproposta(dialogo: Dialogo) -> None:
    identificada(dialogo)
    dialogo.diz("esqueci")
    texto = dialogo.texto("pago 200 a vista")
    assert dialogo.estado == "contraproposta"
    assert "Por R$\xa0200,00 eu não consigo" in texto


# ------------------------------------------------------------------------ entendimento: guardas e apartes


def ate_a_confirmacao(d: Dialogo) -> None:
    identificada(d)
    d.diz("esqueci")
    d.diz("sim")
    assert d.estado == "confirmacao"


def test_confirmacao_negada_nao_registra_acordo(dialogo: Dialogo) -> None:
    ate_a_confirmacao(dialogo)
    dialogo.diz("não confirmo não")
    assert dialogo.estado == "oferta"
    assert not any(isinstance(e, NovoAcordo) for e in dialogo.efeitos)


@pytest.mark.parametrize("texto", ["sim?", "sim, mas nao sei se consigo", "sim, dia 2"])
def test_sim_com_duvida_na_confirmacao_pergunta_com_botoes(dialogo: Dialogo, texto: str) -> None:
    ate_a_confirmacao(dialogo)
    respostas = dialogo.diz(texto)
    assert not any(isinstance(e, NovoAcordo) for e in dialogo.efeitos)
    if dialogo.estado == "confirmacao":  # asked again with the buttons, or the date changed and it re-shows
        assert [o.titulo for o in respostas[-1].opcoes] == ["Confirmo", "Voltar"]
    dialogo.diz("Confirmo")
    assert dialogo.estado == "pagamento"
    assert sum(isinstance(e, NovoAcordo) for e in dialogo.efeitos) == 1


def test_sim_com_proposta_na_confirmacao_e_a_proposta(dialogo: Dialogo) -> None:
    ate_a_confirmacao(dialogo)
    dialogo.diz("ta bom mas em 6 vezes")
    assert dialogo.estado in ("confirmacao", "contraproposta")
    assert dialogo.memoria.plano is not None and dialogo.memoria.plano.quantidade == 6
    assert not any(isinstance(e, NovoAcordo) for e in dialogo.efeitos)


def test_parar_duvidoso_pergunta_e_explicito_registra(dialogo: Dialogo) -> None:
    identificada(dialogo)
    respostas = dialogo.diz("parar?")
    assert dialogo.estado == "saldo"
    assert not any(isinstance(e, OptOut) for e in dialogo.efeitos)
    assert "Parar mensagens" in [o.titulo for o in respostas[-1].opcoes]
    dialogo.diz("Parar mensagens", opcao="parar")
    assert dialogo.estado == "optout"


def test_salario_nao_e_optout_e_pergunta_o_dia(dialogo: Dialogo) -> None:
    identificada(dialogo)
    texto = dialogo.texto("quando cair o salario eu paro de atrasar")
    assert dialogo.estado == "saldo"
    assert "Em que dia" in texto
    assert not any(isinstance(e, OptOut) for e in dialogo.efeitos)


def test_golpe_na_saudacao_responde_e_continua_sem_gastar_nada(dialogo: Dialogo) -> None:
    dialogo.diz("oi")
    respostas = dialogo.diz("isso é golpe?")
    assert dialogo.estado == "saudacao"
    assert "11.222.333/0001-81" in respostas[0].texto and "canais oficiais" in respostas[0].texto
    assert [o.titulo for o in respostas[0].opcoes] == ["Sim, sou eu", "Não sou eu"]
    assert dialogo.memoria.incompreensoes == 0 and not dialogo.memoria.identidade_ok
    assert not DINHEIRO.search(respostas[0].texto)


def test_golpe_como_primeira_mensagem_responde_e_cumprimenta(dialogo: Dialogo) -> None:
    respostas = dialogo.diz("isso é golpe?")
    assert "CNPJ" in respostas[0].texto
    assert "Falo com Maria" in respostas[-1].texto
    assert dialogo.estado == "saudacao"


def test_pergunta_do_cpf_nao_gasta_tentativa(dialogo: Dialogo) -> None:
    dialogo.diz("oi")
    dialogo.diz("sim")
    texto = dialogo.texto("pq vc quer meu cpf?")
    assert "3 primeiros dígitos" in texto and "LGPD" in texto
    assert dialogo.estado == "identificacao"
    assert dialogo.memoria.falhas_identidade == 0
    dialogo.diz("390")
    assert dialogo.memoria.identidade_ok


@pytest.mark.parametrize(
    "texto",
    ["os 3 primeiros são 390", "trezentos e noventa", "tres nove zero", "3 9 0", "390 533 447 05", "390.533"],
)
def test_digitos_escritos_de_varios_jeitos(dialogo: Dialogo, texto: str) -> None:
    dialogo.diz("oi")
    dialogo.diz("sim")
    dialogo.diz(texto)
    assert dialogo.memoria.identidade_ok and dialogo.estado == "saldo"


def test_cpf_direto_na_saudacao_vale_sim_e_digitos(dialogo: Dialogo) -> None:
    dialogo.diz("oi")
    dialogo.diz("390")
    assert dialogo.memoria.identidade_ok and dialogo.estado == "saldo"


def test_digitos_errados_na_saudacao_gastam_uma_tentativa(dialogo: Dialogo) -> None:
    dialogo.diz("oi")
    texto = dialogo.texto("123")
    assert dialogo.estado == "identificacao" and dialogo.memoria.falhas_identidade == 1
    assert "2 tentativas" in texto and not DINHEIRO.search(texto)


def test_origem_da_divida_so_depois_da_identidade(dialogo: Dialogo) -> None:
    dialogo.diz("oi")
    antes = dialogo.texto("de onde vem essa divida?")
    assert "Mensalidade" not in antes and not DINHEIRO.search(antes) and "C-100" not in antes
    dialogo.diz("sim")
    dialogo.diz("390")
    depois = dialogo.texto("de onde vem essa divida?")
    assert "Mensalidade academia" in depois and "C-100" in depois
    assert dialogo.estado == "saldo"


def test_por_que_aumentou_mostra_multa_e_juros_por_linha(dialogo: Dialogo) -> None:
    identificada(dialogo)
    texto = dialogo.texto("pq ta mais caro que o valor original?")
    assert "multa de R$\xa03,00" in texto and "juros de R$\xa02,00" in texto
    assert dialogo.estado == "saldo"


def test_serasa_responde_o_que_o_credor_configurou(dialogo: Dialogo) -> None:
    identificada(dialogo)
    texto = dialogo.texto("meu nome vai pro serasa?")
    assert "avisam você por carta" in texto
    assert dialogo.estado == "saldo"


def test_pausa_e_irritacao_nao_contam_como_incompreensao(dialogo: Dialogo) -> None:
    identificada(dialogo)
    assert "sem pressa" in dialogo.texto("peraí, vou ver e te falo")
    respostas = dialogo.diz("toda hora essa mensagem, que saco")
    assert [o.titulo for o in respostas[0].opcoes] == ["Falar com atendente", "Parar mensagens"]
    assert dialogo.estado == "saldo" and dialogo.memoria.incompreensoes == 0
    assert not any(isinstance(e, (OptOut, Transferir)) for e in dialogo.efeitos)


def test_terceiro_respondendo_vai_para_numero_errado(dialogo: Dialogo) -> None:
    dialogo.diz("oi")
    texto = dialogo.texto("sou a mãe dela, ela não mora mais aqui")
    assert dialogo.estado == "confirmar_numero"
    assert not DINHEIRO.search(texto) and "Mensalidade" not in texto


def test_boleto_ou_data_no_motivo_levam_a_oferta(dialogo: Dialogo) -> None:
    identificada(dialogo)
    dialogo.diz("manda o boleto")
    assert dialogo.estado == "oferta" and dialogo.memoria.plano is not None


def test_data_no_motivo_leva_a_oferta_com_a_data(dialogo: Dialogo) -> None:
    identificada(dialogo)
    dialogo.diz("consigo pagar dia 30")
    assert dialogo.estado == "oferta"
    assert dialogo.memoria.primeiro_vencimento == date(2026, 11, 30)


def test_boleto_na_oferta_explica_que_vem_depois_do_acordo(dialogo: Dialogo) -> None:
    identificada(dialogo)
    dialogo.diz("esqueci")
    respostas = dialogo.diz("me manda o pix")
    assert dialogo.estado == "oferta" and "assim que fecharmos" in respostas[0].texto
    assert [o.titulo for o in respostas[0].opcoes] == ["Aceito", "Não consigo", "Quero parcelar"]


def test_reoferta_muda_e_quero_parcelar_some_quando_ja_e_parcelado(dialogo: Dialogo) -> None:
    identificada(dialogo)
    dialogo.diz("esqueci")
    primeira = dialogo.memoria.opcao
    respostas = dialogo.diz("à vista não dá, só parcelado")
    assert dialogo.memoria.opcao != primeira
    assert dialogo.memoria.plano is not None and dialogo.memoria.plano.tipo == "parcelado"
    assert "Quero parcelar" not in [o.titulo for o in respostas[-1].opcoes]
    segunda = dialogo.memoria.opcao
    dialogo.diz("quero parcelar em mais vezes")
    assert dialogo.memoria.opcao != segunda or dialogo.estado != "oferta"


def test_pago_mas_quero_atendente_transfere_com_o_motivo(dialogo: Dialogo) -> None:
    identificada(dialogo)
    dialogo.diz("já paguei mas quero falar com alguém")
    assert dialogo.estado == "transferido"
    (transferencia,) = [e for e in dialogo.efeitos if isinstance(e, Transferir)]
    assert "motivo_ja_paguei" in transferencia.dados["tambem"]


def test_nome_com_ponto_final_nao_dobra_a_pontuacao(dialogo: Dialogo) -> None:
    """'Loja Exemplo Comércio Ltda.' ends a sentence in several templates: one period, never two."""
    textos = [dialogo.texto("isso é golpe?"), dialogo.texto("PARAR")]
    assert all("Ltda.." not in t and "Ltda.:" not in t for t in textos)
    assert "em nome da Loja Exemplo Comércio Ltda." in textos[0]
    assert "automáticas da Loja Exemplo Comércio Ltda. Se precisar" in textos[1]


_DINHEIRO_BR = r"R\$\xa0(\d{1,3}(?:\.\d{3})*,\d{2})"


def _reais(texto: str) -> Decimal:
    return Decimal(texto.replace(".", "").replace(",", "."))


@pytest.mark.parametrize("valor", ["150.00", "97.33", "489.90", "1234.56", "611.17"])
def test_oferta_parcelada_diz_cada_valor_e_soma_o_total(projeto: Projeto, valor: str) -> None:
    """CDC art. 52: what the offer says adds up to the plan, to the cent (no "11x de" the largest one)."""
    d = Dialogo(projeto.motor, fatos_maria(valor=valor))
    identificada(d)
    d.diz("esqueci")
    texto = d.texto("quero parcelar")
    plano = d.memoria.plano
    assert plano is not None
    assert plano.tipo == "parcelado"
    entrada = re.search(rf"Entrada de {_DINHEIRO_BR}", texto)
    assert entrada is not None and _reais(entrada.group(1)) == plano.entrada.valor
    dito = sum(
        (
            Decimal(int(n) if n else 1) * _reais(v)
            for n, v in re.findall(rf"(?:(\d+)x de|a última de) {_DINHEIRO_BR}", texto)
        ),
        Decimal(0),
    )
    assert plano.entrada.valor + dito == plano.total
    total = re.search(rf"Total: {_DINHEIRO_BR}", texto)
    assert total is not None and _reais(total.group(1)) == plano.total


def test_dia_pedido_sobrevive_a_contraproposta_e_ao_aceite(dialogo: Dialogo) -> None:
    """'só consigo dia 30', then an amount: the plan keeps the day, and the agreement closed is that plan."""
    identificada(dialogo)
    dialogo.diz("esqueci")
    dialogo.diz("só consigo dia 30")
    assert dialogo.memoria.primeiro_vencimento == date(2026, 11, 30)
    dialogo.diz("consigo pagar 100 por mes")
    assert dialogo.memoria.plano is not None
    assert dialogo.memoria.plano.entrada.vencimento == date(2026, 11, 30)
    while dialogo.estado != "confirmacao":
        dialogo.diz("aceito")
    dialogo.diz("confirmo")
    (acordo,) = [e for e in dialogo.efeitos if isinstance(e, NovoAcordo)]
    assert acordo.plano.entrada.vencimento == date(2026, 11, 30)
    assert acordo.plano == dialogo.memoria.plano


def test_valor_e_dia_na_mesma_mensagem(dialogo: Dialogo) -> None:
    identificada(dialogo)
    dialogo.diz("esqueci")
    dialogo.diz("consigo 100 por mes a partir do dia 30")
    assert dialogo.memoria.plano is not None
    assert dialogo.memoria.plano.entrada.vencimento == date(2026, 11, 30)
    assert dialogo.memoria.proposta is not None and dialogo.memoria.proposta.valor_parcela == Decimal("100.00")


@pytest.mark.parametrize("roteiro", [("quero parcelar",), ("esqueci", "quero parcelar")])
def test_saldo_pequeno_demais_para_parcelar_diz_por_que(projeto: Projeto, roteiro: tuple[str, ...]) -> None:
    d = Dialogo(projeto.motor, fatos_maria(valor="20.00", dias_atraso=(10,)))
    identificada(d)
    for fala in roteiro:
        texto = d.texto(fala)
    assert d.estado == "oferta"
    assert "não consigo parcelar" in texto and "À vista" in texto
    assert d.memoria.plano is not None and d.memoria.plano.tipo == "a_vista"
