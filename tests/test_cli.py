"""The command line as a user runs it: argv, a real database (SQLite or PostgreSQL), stdin and stdout.

In-process through `bot.cli.main` (tests/apoio/cli.py); `serve`, which runs until stopped, is a real process
(test_check runs the one `python -m bot check` smoke test).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.apoio.bancos import Bancos
from tests.apoio.cli import AGORA, bot, rodar
from tests.apoio.processos import porta_livre
from tests.apoio.projetos import RAIZ


def test_chat_json_ate_o_acordo(url: str) -> None:
    falas = ["oi", "sim", "390", "esqueci", "nao consigo", "1", "sim"]
    resultado = bot("chat", "--cpf", "390.533.447-05", "--json", entrada="\n".join(falas) + "\n", db=url)
    assert resultado.returncode == 0, resultado.stderr
    mensagens = [json.loads(linha) for linha in resultado.stdout.splitlines()]
    assert all(set(m) == {"text", "options"} for m in mensagens)
    assert "CNPJ 11.222.333/0001-81" in mensagens[0]["text"]
    assert mensagens[0]["options"] == ["Sim, sou eu", "Não sou eu"]
    assert "Confira o acordo" in mensagens[-3]["text"] or "Confira o acordo" in mensagens[-4]["text"]
    assert mensagens[-2]["text"].startswith("Acordo registrado!")  # the terms, then the document's codes
    final = mensagens[-1]["text"]
    assert "PIX copia e cola" in final and "00020126" in final


def test_chat_texto_mostra_opcoes_numeradas(url: str) -> None:
    resultado = bot("chat", "--telefone", "(11) 98765-4321", entrada="oi\n", db=url)
    assert resultado.returncode == 0, resultado.stderr
    assert "bot> Olá, Maria!" in resultado.stdout
    assert "     1. Sim, sou eu" in resultado.stdout


def test_chat_com_devedor_desconhecido(url: str) -> None:
    resultado = bot("chat", "--cpf", "111.444.777-35", entrada="oi\n", db=url)
    assert resultado.returncode == 1
    assert "Nenhum devedor" in resultado.stderr


def test_fila_lista_transferencias(url: str) -> None:
    assert bot("fila", db=url).stdout.strip() == "Fila vazia."
    bot("chat", "--cpf", "39053344705", entrada="oi\nquero falar com um atendente\n", db=url)
    cabecalho, *linhas = bot("fila", db=url).stdout.strip().splitlines()
    assert cabecalho == "Horários de Brasília (o fuso do console)." and len(linhas) == 1
    assert "pedido" in linhas[0] and "Maria (***.533.447-**)" in linhas[0]
    assert "23/11/2026 11:00" in linhas[0]  # --now 11:00 in Brasília, never the UTC 14:00
    assert "39053344705" not in linhas[0]


def test_import_recusa_tudo_com_linha_invalida_e_aceita_com_skip(tmp_path: Path, bancos: Bancos) -> None:
    csv = tmp_path / "carteira.csv"
    csv.write_text(
        "cpf;nome;telefone;uf;contrato;parcela;valor;vencimento\n"
        "390.533.447-05;Maria da Silva;(11) 98765-4321;SP;C1;1;1.234,56;10/10/2026\n"
        "123;João;(11) 98765-4322;SP;C2;1;abc;10/10/2026\n",
        encoding="utf-8",
    )
    db = bancos.vazio("imp")
    recusado = bot("import", str(csv), db=db)
    assert recusado.returncode == 1
    assert f"{csv}:3: coluna 'cpf'" in recusado.stderr
    assert "Nada foi importado: 2 erro(s) em 1 linha(s)." in recusado.stderr
    aceito = bot("import", str(csv), "--skip-invalid", db=db)
    assert aceito.returncode == 0, aceito.stderr
    assert "devedores: 1 novos" in aceito.stdout


def test_now_invalido() -> None:
    resultado = rodar("--now", "amanha", "check")
    assert resultado.returncode == 2
    assert "--now inválido" in resultado.stderr


def test_diagram_escreve_mermaid(tmp_path: Path) -> None:
    resultado = bot("diagram", "--pasta", str(tmp_path))
    assert resultado.returncode == 0, resultado.stderr
    desenho = (tmp_path / "negociacao.mmd").read_text(encoding="utf-8")
    assert desenho.startswith("stateDiagram-v2")
    assert "[*] --> saudacao" in desenho
    assert "identificacao --> menu" in desenho
    # the committed diagram is up to date with the flow
    assert (RAIZ / "fluxos" / "negociacao.mmd").read_text(encoding="utf-8") == desenho


def test_serve_com_canal_ligado_avisa_que_os_links_seguem_a_porta(copia: Path, bancos: Bancos) -> None:
    config = copia / "config.toml"
    email = '\n[canais.email]\nhost = "127.0.0.1"\nremetente = "cobranca@exemplo.com.br"\n'
    config.write_text(config.read_text(encoding="utf-8") + email, encoding="utf-8")
    porta = porta_livre()
    comando = [sys.executable, "-m", "bot", "--config", str(config), "--db", bancos.vazio("serve"), "--now", AGORA,
               "serve", "--porta", str(porta)]  # fmt: skip
    with subprocess.Popen(comando, cwd=RAIZ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as serve:
        try:
            assert serve.stdout is not None
            linhas: list[str] = []
            while not linhas or not linhas[-1].startswith("Servidor em"):
                linhas.append(serve.stdout.readline())
                assert linhas[-1], "serve terminou antes de subir"
        finally:
            serve.terminate()
    aviso = [linha for linha in linhas if "web.url_publica não definida" in linha]
    assert len(aviso) == 1 and "WARNING" in aviso[0] and "por email" in aviso[0]
    assert f"apontam para http://127.0.0.1:{porta};" in aviso[0]
    assert linhas[-1].startswith(f"Servidor em http://127.0.0.1:{porta}/")


@pytest.mark.parametrize(
    ("url", "diz"),
    [
        ("lixo", "não é uma URL de banco"),
        ("mysql+aiomysql://u@h/db", "banco 'mysql' não suportado"),
        ("sqlite:///{pasta}/a.db", "o driver de sqlite é aiosqlite"),
        ("postgresql://u@h/db", "o driver de postgresql é asyncpg"),
        ("postgresql+asyncpg://u@127.0.0.1:{porta}/db", "não foi possível abrir o banco"),
    ],
)
def test_db_errado_e_uma_linha_em_portugues(tmp_path: Path, url: str, diz: str) -> None:
    resultado = bot("fila", db=url.format(pasta=tmp_path, porta=porta_livre()))
    assert resultado.returncode == 1 and resultado.stdout == ""
    linhas = resultado.stderr.strip().splitlines()
    assert len(linhas) == 1 and diz in linhas[0] and "Traceback" not in resultado.stderr, resultado.stderr
    assert not list(tmp_path.iterdir())  # nothing created


def test_banco_sqlite_inexistente_so_e_criado_por_quem_cria(tmp_path: Path) -> None:
    """A typo in --db must not create an empty database and answer "Fila vazia."; import says it creates one."""
    arquivo = tmp_path / "pasta" / "novo.db"
    url = f"sqlite+aiosqlite:///{arquivo}"
    lendo = bot("fila", db=url)
    assert lendo.returncode == 1 and "banco não encontrado" in lendo.stderr and str(arquivo) in lendo.stderr
    assert not arquivo.exists() and not arquivo.parent.exists()
    criando = bot("import", str(RAIZ / "exemplos" / "carteira.csv"), db=url)
    assert criando.returncode == 0 and f"criando banco novo em {arquivo}" in criando.stderr
    assert bot("fila", db=url).returncode == 0
