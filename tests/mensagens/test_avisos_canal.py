"""The channels' own messages live in mensagens/ and `check` holds them to the creditor only."""

from __future__ import annotations

from pathlib import Path

from bot.mensagens.avisos_canal import Aviso, aviso
from bot.projeto import carregar_projeto
from tests.apoio.copia_projeto import erros


def test_so_o_credor_antes_da_identidade_e_todas_presentes(copia: Path) -> None:
    mensagens = copia / "mensagens"
    (mensagens / "contato_desconhecido.whatsapp.j2").write_text("Seu saldo: {{ saldo.total | dinheiro }}")
    (mensagens / "lembrete.email.j2").write_text("{{ lembrete }} — {{ devedor.nome }}")
    (mensagens / "so_texto.j2").unlink()
    assert erros(copia) == [
        f"{mensagens / 'contato_desconhecido.whatsapp.j2'}: usa saldo; esta mensagem dos canais só recebe: credor",
        f"{mensagens / 'lembrete.email.j2'}: usa devedor; esta mensagem dos canais só recebe: credor, lembrete",
        f"{mensagens / 'so_texto.j2'}: mensagem dos canais ausente",
    ]


def test_gestor_edita_e_cada_canal_tem_sua_versao(copia: Path) -> None:
    mensagens = copia / "mensagens"
    (mensagens / "pedir_cpf.telegram.j2").write_text("Oi! Qual o seu CPF? ({{ credor.nome }})")
    projeto = carregar_projeto(copia / "config.toml")
    credor = projeto.config.credor
    assert aviso(projeto.textos, Aviso.PEDIR_CPF, credor, "telegram") == f"Oi! Qual o seu CPF? ({credor.nome})"
    assert aviso(projeto.textos, Aviso.PEDIR_CPF, credor, "whatsapp").startswith("Olá! Para localizar o seu cadastro")
