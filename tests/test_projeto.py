"""`python -m bot check`: broken config, flows and templates are reported precisely, all at once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.projeto import carregar_projeto
from tests.apoio.cli import rodar
from tests.apoio.copia_projeto import erros, trocar
from tests.apoio.projetos import RAIZ


def linha_de(arquivo: Path, trecho: str) -> int:
    return next(n for n, linha in enumerate(arquivo.read_text().splitlines(), 1) if trecho in linha)


def test_arquivos_distribuidos_passam(copia: Path) -> None:
    projeto = carregar_projeto(copia / "config.toml")
    assert "negociacao" in projeto.fluxos


def test_multa_acima_de_dois_por_cento(copia: Path) -> None:
    config = copia / "config.toml"
    trocar(config, "multa_percentual = 2 ", "multa_percentual = 3 ")
    linha = linha_de(config, "multa_percentual = 3")
    assert erros(copia) == [
        f"{config}:{linha}: [encargos.multa_percentual] multa acima de 2% é proibida (CDC art. 52 §1) (valor: 3)"
    ]


def test_varios_erros_de_uma_vez_com_linha(copia: Path) -> None:
    config = copia / "config.toml"
    trocar(config, 'cnpj = "11.222.333/0001-81"', 'cnpj = "11.222.333/0001-00"')
    trocar(config, "tentativas = 3", "tentativas = 0")
    trocar(config, "parcelas_max = 6", "parcelas_max = 6\n  parcela_minima = 10")
    trocar(config, 'metodo = "cpf3"', 'metodo = "cpf4"')
    mensagens = erros(copia)
    assert len(mensagens) == 4
    texto = "\n".join(mensagens)
    assert f"{config}:{linha_de(config, 'cnpj =')}: [credor.cnpj] CNPJ inválido" in texto
    assert (
        f"{config}:{linha_de(config, 'tentativas = 0')}: [identidade.tentativas] deve ser no mínimo 1 (valor: 0)"
        in texto
    )
    assert (
        f"{config}:{linha_de(config, 'parcela_minima')}: "
        "[ofertas.faixas[1].opcoes[1].parcela_minima] chave desconhecida" in texto
    )
    assert "[identidade.metodo] esperado um de: 'cpf3', 'nascimento' ou 'ambos' (valor: 'cpf4')" in texto


def test_toml_quebrado_diz_a_linha(copia: Path) -> None:
    config = copia / "config.toml"
    trocar(config, 'nome = "Loja Exemplo Comércio Ltda."', 'nome = "Loja Exemplo')
    (mensagem,) = erros(copia)
    assert mensagem.startswith(f"{config}:{linha_de(config, 'nome = ')}: TOML inválido")


def test_fluxo_com_nomes_desconhecidos_e_grafo_quebrado(copia: Path) -> None:
    fluxo = copia / "fluxos" / "negociacao.toml"
    trocar(
        fluxo,
        'ir_para = "identificacao"\n\n[[estados.saudacao.transicoes]]\nquando = "nao"',
        'ir_para = "identifikacao"\n\n[[estados.saudacao.transicoes]]\nquando = "talvez"',
    )
    trocar(
        fluxo,
        'acoes = ["registrar_optout"]',
        'acoes = ["registrar_optout", "apagar_tudo", "transferir:cansei"]',
    )
    trocar(fluxo, 'se = "tem_oferta"', 'se = "tem_ofertas"')
    trocar(fluxo, "[estados.encerrado]", '[estados.orfao]\nmensagem = "encerrado"\n\n[estados.encerrado]')
    texto = "\n".join(erros(copia))
    assert (
        f"{fluxo}:{linha_de(fluxo, 'identifikacao')}: [estados.saudacao.transicoes[4].ir_para] estado desconhecido"
        in texto
    )
    assert (
        "[estados.saudacao.transicoes[5].quando] intenção desconhecida "
        "(defina-a em fluxos/intencoes.toml) (valor: 'talvez')" in texto
    )
    assert "[global[0].acoes[1]] ação desconhecida" in texto and "(valor: 'apagar_tudo')" in texto
    assert "[global[0].acoes[2]] argumento ausente ou desconhecido" in texto
    assert "[estados.saldo.transicoes[2].se] condição desconhecida" in texto
    assert (
        f"{fluxo}:{linha_de(fluxo, '[estados.orfao]')}: [estados.orfao] estado inalcançável a partir de 'saudacao'"
        in texto
    )
    assert "[estados.orfao] beco sem saída: estado sem transições e sem 'final = true'" in texto
    # the state that lost its way in is now unreachable too
    assert "[estados.identificacao] estado inalcançável" not in texto or "identifikacao" in texto


def test_mensagem_com_valor_antes_da_identidade_e_recusada(copia: Path) -> None:
    saudacao = copia / "mensagens" / "saudacao.j2"
    saudacao.write_text(saudacao.read_text() + "Seu saldo é {{ saldo.total | dinheiro }}.\n")
    (mensagem,) = erros(copia)
    assert mensagem == (
        f"{saudacao}: usa saldo mas é enviada antes da confirmação de identidade (estado 'saudacao'); "
        "só pode usar: credor, devedor, falada, identidade_ok, intencao_lida, opcoes, pedir, retorno_equipe, "
        "tentativas_restantes"
    )


def test_modelo_jinja_quebrado_e_nome_errado(copia: Path) -> None:
    (copia / "mensagens" / "encerrado.j2").write_text("Até mais {{ devedor.primeiro_nome \n")
    (copia / "mensagens" / "oferta.j2").write_text("Total {{ plano.totall | dinheiro }}\n")
    texto = "\n".join(erros(copia))
    assert f"{copia / 'mensagens' / 'encerrado.j2'}:1: modelo Jinja2 inválido" in texto
    assert "[estados.encerrado.mensagem] mensagem inexistente em mensagens/ (valor: 'encerrado')" in texto


def test_erro_de_atributo_aparece_no_ensaio(copia: Path) -> None:
    oferta = copia / "mensagens" / "oferta.j2"
    trocar(oferta, "plano.total", "plano.totall")
    (mensagem,) = erros(copia)
    assert mensagem == (
        f"{oferta}:{linha_de(oferta, 'plano.totall')}: erro ao montar a mensagem: Plano não tem o campo 'totall' "
        "(nome digitado errado?)"
    )


def test_erros_de_mensagem_e_de_config_juntos(copia: Path) -> None:
    """A broken config does not hide the messages' errors: they are rendered with the config's valid keys."""
    trocar(copia / "config.toml", "max_incompreensoes = ", 'max_incompreensoes = "x" #')
    (copia / "mensagens" / "saldo.j2").write_text("Olá\n{{ devedor.primeiro_nomee }}\n")
    texto = "\n".join(erros(copia))
    assert "[conversa.max_incompreensoes] esperado um número inteiro" in texto
    assert f"{copia / 'mensagens' / 'saldo.j2'}:2: erro ao montar a mensagem:" in texto
    assert "primeiro_nomee" in texto and "has no attribute" not in texto and "is undefined" not in texto


def test_comando_check(copia: Path) -> None:
    """The one test that runs `python -m bot` as a process (the others call `bot.cli.main`, tests/apoio/cli.py)."""
    ok = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(copia / "config.toml"), "check"],
        capture_output=True,
        text=True,
        check=False,
        cwd=RAIZ,
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("OK: config.toml, 1 fluxo(s) com 19 estados")
    trocar(copia / "config.toml", "multa_percentual = 2 ", "multa_percentual = 2.5 ")
    ruim = rodar("--config", str(copia / "config.toml"), "check")
    assert ruim.returncode == 1
    assert "[encargos.multa_percentual] multa acima de 2% é proibida" in ruim.stderr
    assert ruim.stderr.strip().endswith("1 erro(s) de configuração.")


def test_pesos_desatualizados_pedem_novo_treino(copia: Path) -> None:
    corpus = copia / "fluxos" / "treino" / "base.csv"
    corpus.write_text(corpus.read_text(encoding="utf-8") + "bora resolver isso hoje;sim\n", encoding="utf-8")
    (mensagem,) = erros(copia)
    assert mensagem == (
        f"{copia / 'fluxos' / 'intencoes.npz'}: pesos desatualizados: o corpus (intencoes.toml ou treino/*.csv) "
        "mudou depois do último treino; rode `python -m bot nlu treinar`"
    )


def test_linha_ruim_no_corpus_diz_arquivo_e_linha(copia: Path) -> None:
    corpus = copia / "fluxos" / "treino" / "base.csv"
    corpus.write_text(corpus.read_text(encoding="utf-8") + "quero um desconto;desconto\n", encoding="utf-8")
    linha = len(corpus.read_text(encoding="utf-8").splitlines())
    (mensagem,) = erros(copia)
    assert f"{corpus}:{linha}: intenção desconhecida 'desconto'" in mensagem
