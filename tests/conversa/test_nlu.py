"""Tests for bot.conversa.nlu: normalisation, entities, the classifier and its accuracy on a corpus."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from bot.atendimento.treinamento import vocabulario
from bot.conversa.avaliacao import avaliar, formatar, ler_casos
from bot.conversa.nlu import Classificador, Entidades, Interpretacao, extrair_entidades, normalizar
from bot.conversa.nlu.linear import ModeloLinear, PesosInvalidos, atributos
from bot.conversa.nlu.treino import (
    ARQUIVO_PESOS,
    CorpusInvalido,
    Exemplo,
    carregar_pesos,
    corpus_do_projeto,
    ler_corpus,
    marcar,
    treinar,
    variantes,
)
from bot.projeto import Projeto

RAIZ = Path(__file__).resolve().parents[2]
HOJE = date(2025, 11, 19)  # a Wednesday
ACURACIA_MINIMA = 0.97  # held-out accuracy shown in the README; raise it with the model, never lower it quietly


@pytest.fixture(scope="module")
def classificador() -> Classificador:
    from tests.apoio.projetos import projeto_padrao

    return projeto_padrao().motor.classificador


# ---------------------------------------------------------------------------------------------- normalizar


@pytest.mark.parametrize(
    ("texto", "esperado"),
    [
        ("Não", "nao"),
        ("NÃO QUERO", "nao quero"),
        ("simmmm", "sim"),
        ("Oiii, tudo bem??", "oi tudo bem"),
        ("siim", "sim"),
        ("obrigadoo 🙏", "obrigado obrigado"),
        ("😡😡 de novo", "affs affs de novo"),
        ("🤝", "fechado"),
        ("vc pode me ajudar pq n entendi", "voce pode me ajudar porque nao entendi"),
        ("q vc quer?", "que voce quer"),
        ("tbm acho, blz", "tambem acho beleza"),
        ("nao quero mais msg!!!", "nao quero mais mensagem"),
        ("mto obg", "muito obrigado"),
        ("kkkkk esqueci rsrs", "esqueci"),
        ("R$150", "r$ 150"),
        ("R$ 1.234,50.", "r$ 1.234,50"),
        ("dia 15/12.", "dia 15/12"),
        ("10x", "10 x"),
        ("2ª via", "2 a via"),
        ("  muito   espaço  ", "muito espaco"),
        ("👍", "ok"),
        ("ação, coração, pagamento à vista", "acao coracao pagamento a vista"),
        ("e/ou", "e ou"),
    ],
)
def test_normalizar(texto: str, esperado: str) -> None:
    assert normalizar(texto) == esperado


# ---------------------------------------------------------------------------------------------- entidades


@pytest.mark.parametrize(
    ("texto", "valor"),
    [
        ("R$150", "150"),
        ("r$ 50", "50"),
        ("150 reais", "150"),
        ("1.234,50", "1234.50"),
        ("aceita 1.200,00?", "1200"),
        ("200 conto", "200"),
        ("consigo 200 por mes", "200"),
        ("consigo uns 250", "250"),
        ("duzentos reais", "200"),
        ("consigo pagar mil e duzentos", "1200"),
        ("mil e quinhentos reais", "1500"),
        ("duzentos e cinquenta reais", "250"),
        ("cento e vinte e cinco reais", "125"),
        ("dois mil e quinhentos reais", "2500"),
        ("em 6x de 100", "100"),
        ("R$ 300 de entrada e o resto parcelado", "300"),
        ("10x", None),
        ("dez vezes", None),
        ("dia 10", None),
        ("12/05/1980", None),
        ("390", None),
        ("390.533.447-05", None),
        ("tenho 2 filhos", None),
    ],
)
def test_valor(texto: str, valor: str | None) -> None:
    esperado = None if valor is None else Decimal(valor)
    assert extrair_entidades(texto, HOJE).valor == esperado


@pytest.mark.parametrize(
    ("texto", "parcelas"),
    [
        ("10x", 10),
        ("em 10 x", 10),
        ("quero em 10 vezes", 10),
        ("dez vezes", 10),
        ("em doze parcelas", 12),
        ("parcelar em 6 meses", 6),
        ("divide em 3", 3),
        ("faço em 5 vezes de 120", 5),
        ("R$150", None),
        ("pago em 10 dias", None),
        ("quero parcelar", None),
    ],
)
def test_parcelas(texto: str, parcelas: int | None) -> None:
    assert extrair_entidades(texto, HOJE).parcelas == parcelas


@pytest.mark.parametrize(
    ("texto", "data"),
    [
        ("dia 10", date(2025, 12, 10)),
        ("pago dia 19", date(2025, 11, 19)),
        ("dia 25", date(2025, 11, 25)),
        ("dia 31", date(2025, 12, 31)),
        ("dia dez", date(2025, 12, 10)),
        ("dia primeiro", date(2025, 12, 1)),
        ("dia 5 do mes que vem", date(2025, 12, 5)),
        ("sexta", date(2025, 11, 21)),
        ("quarta feira", date(2025, 11, 26)),
        ("segunda-feira eu pago", date(2025, 11, 24)),
        ("amanha", date(2025, 11, 20)),
        ("amanhã", date(2025, 11, 20)),
        ("amnh", date(2025, 11, 20)),
        ("depois de amanhã", date(2025, 11, 21)),
        ("hj", date(2025, 11, 19)),
        ("semana que vem", date(2025, 11, 24)),
        ("mes que vem", date(2025, 12, 1)),
        ("no fim do mes", date(2025, 11, 30)),
        ("daqui 3 dias", date(2025, 11, 22)),
        ("15/12", date(2025, 12, 15)),
        ("10/01", date(2026, 1, 10)),
        ("15/12/2026", date(2026, 12, 15)),
        ("10 de dezembro", date(2025, 12, 10)),
        ("12/05/1980", date(1980, 5, 12)),
        ("12/05/80", date(1980, 5, 12)),
        ("31/02", None),
        ("segunda via", None),
        ("bom dia", None),
        ("R$ 1.234,50", None),
    ],
)
def test_data(texto: str, data: date | None) -> None:
    assert extrair_entidades(texto, HOJE).data == data


@pytest.mark.parametrize(
    ("texto", "digitos", "numero"),
    [
        ("390", "390", 390),
        ("390.533", "390533", None),
        ("390.533.447-05", "39053344705", None),
        ("2", "2", 2),
        ("dois", "", 2),
        ("opção 2", "2", 2),
        ("opcao dois", "", 2),
        ("a 3", "3", 3),
        ("2️⃣", "2", 2),
        ("a segunda", "", 2),
        ("mil e duzentos", "", 1200),
        ("vinte", "", 20),
        ("quinta", "", None),
        ("10x", "10", None),
        ("quero 2 boletos", "2", None),
        ("sem numero", "", None),
    ],
)
def test_digitos_e_numero(texto: str, digitos: str, numero: int | None) -> None:
    entidades = extrair_entidades(texto, HOJE)
    assert (entidades.digitos, entidades.numero) == (digitos, numero)


def test_entidades_de_uma_mensagem_completa() -> None:
    assert extrair_entidades("consigo 10x de R$ 150,00 a partir de sexta", HOJE) == Entidades(
        valor=Decimal("150.00"), parcelas=10, data=date(2025, 11, 21), digitos="1015000", numero=None
    )


# ---------------------------------------------------------------------------------------------- classificador


@pytest.mark.parametrize(
    ("texto", "intencao"),
    [
        ("nao", "nao"),
        ("nao sou eu", "nao_sou_eu"),
        ("nao quero mais mensagens", "parar"),
        ("ja paguei ontem", "motivo_ja_paguei"),
        ("vou pagar sexta", "data_pagamento"),
        ("consigo pagar dia 10", "data_pagamento"),
        ("consigo 200 por mes", "proposta"),
        ("da pra fazer em 10x?", "proposta"),
        ("manda o pix", "segunda_via"),
        ("quero falar com um atendemte", "atendente"),
        ("tem parcelameto?", "parcelar"),
        ("QUERO FALAR COM UMA PESSOA", "atendente"),
        ("pode ser em 10x de 200?", "proposta"),
        ("eu paguei dia 5", "motivo_ja_paguei"),
        ("bom dia, quero parcelar", "parcelar"),
    ],
)
def test_casos_dificeis(classificador: Classificador, texto: str, intencao: str) -> None:
    assert classificador.interpretar(texto, HOJE).intencao == intencao


# The misreads the issue reported, each a phenomenon: the state's intents are given as the engine gives them.
@pytest.mark.parametrize(
    ("estado", "texto", "intencao"),
    [
        ("confirmacao", "não confirmo não", "nao"),
        ("confirmacao", "n confirmo", "nao"),
        ("confirmacao", "ta bom mas em 6 vezes", "proposta"),
        ("confirmacao", "ok, mas em seis vezes", "proposta"),
        ("oferta", "ta muito caro", "nao"),
        ("oferta", "à vista não dá, só parcelado", "parcelar"),
        ("oferta", "quando cair o salário eu pago", "data_incerta"),
        ("saldo", "quando o salario cair eu paro de atrasar", "data_incerta"),
        ("saudacao", "isso é golpe?", "pergunta_golpe"),
        ("identificacao", "pq vc quer meu cpf?", "pergunta_cpf"),
        ("saldo", "tô sem trampo", "motivo_sem_renda"),
        ("saldo", "a firma fechou", "motivo_sem_renda"),
        ("saldo", "tive um AVC", "motivo_doenca"),
        ("saudacao", "sou a mãe dela", "nao_sou_eu"),
        ("saudacao", "ele não mora mais aqui", "nao_sou_eu"),
        ("oferta", "peraí que vou ver e te falo", "pausa"),
        ("saldo", "já paguei mas quero falar com alguém", "atendente"),
        ("oferta", "consigo dia trinta", "data_pagamento"),
        ("oferta", "pago no quinto dia útil", "data_pagamento"),
        ("oferta", "trezentos e noventa por mes", "proposta"),
    ],
)
def test_fenomenos_do_relato(projeto: Projeto, estado: str, texto: str, intencao: str) -> None:
    fluxo = projeto.motor.fluxo
    lida = projeto.motor.classificador.interpretar(texto, HOJE, fluxo.intencoes_usadas(fluxo.estados[estado]), "SP")
    assert lida.intencao == intencao


@pytest.mark.parametrize("texto", ["390", "12/05/1980", "os 3 primeiros são 390", "trezentos e noventa"])
def test_respostas_de_identidade_nao_tem_intencao(projeto: Projeto, texto: str) -> None:
    """Answers to "3 primeiros digitos do CPF?" or "data de nascimento?" are entities, not intents."""
    fluxo = projeto.motor.fluxo
    candidatas = fluxo.intencoes_usadas(fluxo.estados["identificacao"])
    assert projeto.motor.classificador.interpretar(texto, HOJE, candidatas).intencao is None


def test_interpretacao_traz_entidades_confianca_e_sinais(classificador: Classificador) -> None:
    resultado = classificador.interpretar("consigo 200 por mes", HOJE)
    assert isinstance(resultado, Interpretacao)
    assert resultado.entidades.valor == Decimal(200)
    assert 0.0 < resultado.confianca <= 1.0
    negada = classificador.interpretar("não confirmo não", HOJE, candidatas={"sim", "nao"})
    assert negada.negacao and not negada.pergunta
    assert classificador.interpretar("sera que da?", HOJE).pergunta
    misto = classificador.interpretar("já paguei mas quero falar com alguém", HOJE)
    assert misto.intencao == "atendente" and "motivo_ja_paguei" in misto.alternativas


@pytest.mark.parametrize("texto", ["", "???", "🙂🙂", "xpto qwerty zzz", "asdfghjkl"])
def test_sem_intencao(classificador: Classificador, texto: str) -> None:
    assert classificador.interpretar(texto, HOJE).intencao is None


@pytest.mark.parametrize(
    ("intencao", "confianca", "texto", "inequivoca"),
    [
        ("sim", 0.95, "sim", True),
        ("sim", 0.60, "sim", False),  # unsure
        ("sim", 0.95, "sim?", False),  # a question
        ("sim", 0.95, "sim, nao tenho certeza", False),  # a negation
        ("sim", 0.95, "sim, dia 30", False),  # terms of its own
        ("parar", 0.95, "nao quero mais mensagens", True),  # a negation is the request itself
        ("parar", 0.5, "parar?", False),
    ],
)
def test_inequivoca(intencao: str, confianca: float, texto: str, inequivoca: bool) -> None:
    entidades = extrair_entidades(texto, HOJE)
    tokens = set(normalizar(texto).split())
    leitura = Interpretacao(intencao, confianca, entidades, negacao="nao" in tokens, pergunta="?" in texto)
    assert leitura.inequivoca() is inequivoca


def test_candidatas_restringem_o_resultado(classificador: Classificador) -> None:
    livre = classificador.interpretar("ja paguei", HOJE)
    restrito = classificador.interpretar("ja paguei", HOJE, candidatas={"sim", "nao"})
    assert livre.intencao == "motivo_ja_paguei"
    assert restrito.intencao in {"sim", "nao", None}


def test_candidatas_escolhem_entre_as_permitidas(classificador: Classificador) -> None:
    resultado = classificador.interpretar("sim, sou eu", HOJE, candidatas=["sim", "nao_sou_eu"])
    assert resultado.intencao == "sim"
    negativa = classificador.interpretar("nao sou eu", HOJE, candidatas=["sim", "nao_sou_eu"])
    assert negativa.intencao == "nao_sou_eu"


def test_candidatas_sem_regra_de_entidade(classificador: Classificador) -> None:
    resultado = classificador.interpretar("consigo 200 por mes", HOJE, candidatas=["sim", "nao"])
    assert resultado.intencao != "proposta"


def test_candidata_desconhecida_e_erro(classificador: Classificador) -> None:
    with pytest.raises(ValueError, match="inexistente"):
        classificador.interpretar("oi", HOJE, candidatas=["saudacao", "inexistente"])


def test_intencao_sem_treino_e_erro(classificador: Classificador) -> None:
    with pytest.raises(ValueError, match="sem exemplos de treino no modelo: \\['reembolso'\\]"):
        Classificador(classificador.modelo, [*classificador.nomes, "reembolso"])


# ------------------------------------------------------------------------------------------- treino e pesos


PEQUENO = [
    Exemplo(texto, intencao, "teste")
    for intencao, textos in {
        "sim": ["sim", "pode ser", "claro", "fechado", "isso mesmo", "ok pode"],
        "nao": ["nao", "nao quero", "de jeito nenhum", "nem pensar", "nao da", "agora nao"],
        "parar": ["parar", "para de mandar mensagem", "me tira da lista", "sair", "nao me mande mais nada"],
        "nenhuma": ["390", "asdf", "kkkk", "12/05/1980", "ta chovendo"],
    }.items()
    for texto in textos
]


def test_previsao_em_numpy_igual_a_do_scikit_learn(tmp_path: Path) -> None:
    """The NumPy prediction and scikit-learn's own, on the same features, agree to float precision."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    modelo = treinar(PEQUENO)
    textos = [marcar(e.texto) for e in PEQUENO]
    vetorizador = TfidfVectorizer(analyzer=atributos, sublinear_tf=True, vocabulary=modelo.indice)
    vetorizador.idf_ = modelo.idf.astype(np.float64)
    regressao = LogisticRegression()
    regressao.classes_ = np.array(modelo.classes)
    regressao.coef_ = modelo.coef.T.astype(np.float64)
    regressao.intercept_ = modelo.intercepto.astype(np.float64)
    for texto, esperadas in zip(
        [*textos, "mensagem nunca vista 123"],
        regressao.predict_proba(vetorizador.transform([*textos, "mensagem nunca vista znum"])),
        strict=True,
    ):
        obtidas = modelo.probabilidades(marcar(texto))
        assert [obtidas[c] for c in modelo.classes] == pytest.approx(list(esperadas), abs=1e-5)
    salvo = tmp_path / "pesos.npz"
    modelo.salvar(salvo)  # stored in half precision: the same readings, probabilities within 1e-2
    carregado = ModeloLinear.carregar(salvo)
    for texto in textos:
        a, b = modelo.probabilidades(texto), carregado.probabilidades(texto)
        assert max(a, key=a.__getitem__) == max(b, key=b.__getitem__)
        assert [b[c] for c in modelo.classes] == pytest.approx([a[c] for c in modelo.classes], abs=1e-2)


def test_treino_deterministico_e_pesos_sem_pickle(tmp_path: Path) -> None:
    primeiro, segundo = tmp_path / "a.npz", tmp_path / "b.npz"
    treinar(PEQUENO).salvar(primeiro)
    treinar(list(reversed(PEQUENO))).salvar(segundo)
    with np.load(primeiro, allow_pickle=False) as a, np.load(segundo, allow_pickle=False) as b:
        assert sorted(a.files) == sorted(b.files)
        for nome in a.files:
            assert np.array_equal(a[nome], b[nome]), nome
    carregado = ModeloLinear.carregar(primeiro)
    assert carregado.probabilidades(marcar("pode ser"))["sim"] > 0.5


def test_pesos_desatualizados_ou_ilegiveis(tmp_path: Path) -> None:
    treinar(PEQUENO).salvar(tmp_path / ARQUIVO_PESOS)
    assert carregar_pesos(tmp_path, PEQUENO).classes == ("nao", "nenhuma", "parar", "sim")
    with pytest.raises(PesosInvalidos, match="desatualizados"):
        carregar_pesos(tmp_path, [*PEQUENO, Exemplo("bora", "sim", "teste")])
    (tmp_path / ARQUIVO_PESOS).write_bytes(b"isto nao e um npz")
    with pytest.raises(PesosInvalidos, match="ilegível"):
        carregar_pesos(tmp_path, PEQUENO)
    (tmp_path / ARQUIVO_PESOS).unlink()
    with pytest.raises(PesosInvalidos, match="ausente"):
        carregar_pesos(tmp_path, PEQUENO)


def test_corpus_invalido_lista_cada_linha(tmp_path: Path) -> None:
    arquivo = tmp_path / "treino.csv"
    arquivo.write_text("texto;intencao\nsim;sim\n;nao\nbora;inexistente\n!!!;sim\n", encoding="utf-8")
    with pytest.raises(CorpusInvalido) as erro:
        ler_corpus(arquivo, ["sim", "nao"])
    assert [e.split(": ", 1)[0] for e in erro.value.erros] == [f"{arquivo}:3", f"{arquivo}:4", f"{arquivo}:5"]
    assert "intenção desconhecida 'inexistente'" in erro.value.erros[1]
    (tmp_path / "outro.csv").write_text("frase,rotulo\nsim,sim\n", encoding="utf-8")
    with pytest.raises(CorpusInvalido, match="cabeçalho esperado 'texto;intencao'"):
        ler_corpus(tmp_path / "outro.csv", ["sim"])


def test_variantes_com_erro_de_digitacao_sao_deterministicas() -> None:
    assert variantes("nao quero parcelar") == variantes("nao quero parcelar")
    assert all(v != "nao quero parcelar" and len(v.split()) == 3 for v in variantes("nao quero parcelar"))
    assert variantes("em zparcelas de zvalor") == []  # only real words of 4+ letters get typos


# ---------------------------------------------------------------------------------- corpus e avaliação


def _avaliacao(nome: str) -> Path:
    return RAIZ / "tests" / "data" / nome


def test_o_treino_so_le_fluxos(tmp_path: Path) -> None:
    """Training reads `fluxos/` only: a corpus file put anywhere else (tests/data) changes nothing."""
    intencoes, _ = vocabulario(RAIZ / "fluxos")
    corpus = corpus_do_projeto(RAIZ / "fluxos", intencoes)
    assert {e.origem.split(":")[0] for e in corpus} <= {
        *(str(p) for p in (RAIZ / "fluxos" / "treino").glob("*.csv")),
        *(f"intencoes.{i.nome}" for i in intencoes),
    }


def test_acuracia_no_conjunto_separado_e_nenhuma_leitura_custosa(projeto: Projeto) -> None:
    """The figures the README shows (`python -m bot nlu avaliar`); a drop below them fails the suite."""
    fluxo = projeto.motor.fluxo
    casos = ler_casos(_avaliacao("nlu_avaliacao.csv"), fluxo, projeto.motor.classificador.nomes)
    intencoes = list(projeto.intencoes.values())
    treino = {marcar(e.texto) for e in corpus_do_projeto(RAIZ / "fluxos", intencoes)}
    relatorio = avaliar(projeto.motor.classificador, fluxo, casos, treino)
    print("\n" + formatar(relatorio, detalhes=False))
    assert len(casos) >= 600 and relatorio.ineditas.total >= 500
    assert relatorio.custosas == []
    assert relatorio.geral.acuracia >= ACURACIA_MINIMA
    assert relatorio.ineditas.acuracia >= ACURACIA_MINIMA - 0.02
