"""The declared WhatsApp templates: each well formed for Meta's review, every one in use declared as it is used."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config.erros import ConfigInvalida
from bot.mensagens.catalogo import ARQUIVO, Categoria, carregar_catalogo, conferir_usos
from bot.projeto import Projeto, carregar_projeto
from tests.apoio.projetos import RAIZ


def _erros(pasta: Path) -> list[str]:
    with pytest.raises(ConfigInvalida) as erro:
        carregar_projeto(pasta / "config.toml")
    return [str(e) for e in erro.value.erros]


def test_os_modelos_do_projeto_conferem(projeto: Projeto) -> None:
    catalogo, erros = carregar_catalogo(RAIZ / "mensagens")
    assert erros == [] and catalogo is not None
    assert conferir_usos(catalogo, projeto.config, "config.toml") == []
    modelo = catalogo.por_nome("documento_pronto")
    assert modelo is not None and modelo.categoria == Categoria.UTILITY
    assert modelo.exemplos() == ["Maria", "R$ 489,90", "24/11/2026", "https://pagar.exemplo.com.br/p/abc123"]


@pytest.mark.parametrize(
    ("antes", "depois", "esperado"),
    [
        ('texto = "Oi, {{1}}! Amanhã', 'texto = "Oi, {{1}}! {{3}} Amanhã',
         "o texto usa {{1}}, {{3}}; com 1 variável(is) em variaveis espera-se de {{1}} a {{1}}"),
        ('texto = "Oi, {{1}}! Recebemos seu pagamento de {{2}}. Obrigado!"', 'texto = "Oi, {{1}}! Obrigado: {{2}}"',
         "a Meta recusa variável no começo ou no fim do texto"),
        ('variaveis = ["primeiro_nome", "credor"]', 'variaveis = ["primeiro_nome", "cpf"]',
         "variável desconhecida: cpf"),
        ('nome = "pendencia_negociar"\ncategoria = "UTILITY"', 'nome = "pendencia_negociar"\ncategoria = "COBRANCA"',
         "[modelos[3].categoria] esperado um de: 'UTILITY'"),
        ('nome = "acordo_pendente"', 'nome = "Acordo Pendente"', "[modelos[5].nome]"),
    ],
)  # fmt: skip
def test_modelo_malformado_apontado_com_arquivo_e_linha(copia: Path, antes: str, depois: str, esperado: str) -> None:
    arquivo = copia / "mensagens" / ARQUIVO
    texto = arquivo.read_text(encoding="utf-8")
    assert antes in texto
    arquivo.write_text(texto.replace(antes, depois, 1), encoding="utf-8")
    erros = [e for e in _erros(copia) if e.startswith(str(arquivo))]
    assert len(erros) == 1 and esperado in erros[0], erros
    assert erros[0].startswith(f"{arquivo}:") and erros[0].split(":")[1].isdigit()  # the line of the template


def test_modelo_repetido(copia: Path) -> None:
    arquivo = copia / "mensagens" / ARQUIVO
    texto = arquivo.read_text(encoding="utf-8")
    arquivo.write_text(texto.replace('nome = "pendencia"\n', 'nome = "lembrete_amanha"\n'), encoding="utf-8")
    erros = _erros(copia)
    assert any("modelo declarado duas vezes: lembrete_amanha (pt_BR)" in e for e in erros), erros


def test_uso_nao_declarado_ou_com_outras_variaveis(copia: Path) -> None:
    config = copia / "config.toml"
    texto = config.read_text(encoding="utf-8")
    texto = texto.replace('modelo = "lembrete_amanha", parametros = ["primeiro_nome"]',
                          'modelo = "lembrete_novo", parametros = ["primeiro_nome"]')  # fmt: skip
    texto = texto.replace('parametros_whatsapp = ["primeiro_nome", "atendente"]',
                          'parametros_whatsapp = ["atendente", "primeiro_nome"]')  # fmt: skip
    config.write_text(texto, encoding="utf-8")
    erros = _erros(copia)
    assert (
        f"{config}: [regua.passos[vespera].modelos.whatsapp] modelo do WhatsApp não declarado em "
        f"mensagens/{ARQUIVO} (valor: 'lembrete_novo')" in erros
    )
    assert (
        f"{config}: [console.modelo_whatsapp] o modelo “retomar_conversa” declara as variáveis (primeiro_nome, "
        "atendente) e aqui são passadas (atendente, primeiro_nome): devem ser as mesmas, na mesma ordem" in erros
    )


def test_modelo_de_uma_variante_de_experimento_tambem_e_conferido(copia: Path) -> None:
    """A variant sends its template in place of the step's: it must be declared (and submitted) the same way."""
    config = copia / "config.toml"
    variante = (
        '\n[[experimentos]]\nnome = "curto"\ninicio = 2026-12-01\nfim = 2027-02-28\n'
        '[[experimentos.variantes]]\nnome = "a"\n[[experimentos.variantes]]\nnome = "b"\n'
        'passos.vespera.whatsapp = { modelo = "lembrete_inexistente", parametros = ["primeiro_nome"], '
        'texto = "Oi, {primeiro_nome}. Amanhã vence." }\n'
    )
    config.write_text(config.read_text(encoding="utf-8") + variante, encoding="utf-8")
    assert _erros(copia) == [
        f"{config}: [experimentos[0].variantes[1].passos.vespera.whatsapp] modelo do WhatsApp não declarado em "
        f"mensagens/{ARQUIVO} (valor: 'lembrete_inexistente')"
    ]


def test_modelo_de_uma_variante_de_experimento_declarado_como_usado(copia: Path) -> None:
    """A variant sends its template in the step's place: declared, with the same variables, like the step's own."""
    config = copia / "config.toml"
    with config.open("a", encoding="utf-8") as arquivo:
        arquivo.write("""
[[experimentos]]
nome = "vespera"
inicio = 2026-11-01
fim = 2026-12-31

[[experimentos.variantes]]
nome = "a"

[[experimentos.variantes]]
nome = "b"
passos.vespera.whatsapp = { modelo = "nao_declarado", parametros = ["primeiro_nome"], texto = "Oi, {primeiro_nome}!" }

[[experimentos.variantes]]
nome = "c"
passos.vespera.whatsapp = { modelo = "lembrete_curto", parametros = ["credor"], texto = "Oi! {credor}" }
""")
    erros = _erros(copia)
    assert (
        f"{config}: [experimentos[0].variantes[1].passos.vespera.whatsapp] modelo do WhatsApp não declarado em "
        f"mensagens/{ARQUIVO} (valor: 'nao_declarado')" in erros
    ), erros
    assert (
        f"{config}: [experimentos[0].variantes[2].passos.vespera.whatsapp] o modelo “lembrete_curto” declara as "
        "variáveis (primeiro_nome) e aqui são passadas (credor): devem ser as mesmas, na mesma ordem" in erros
    ), erros


def test_arquivo_ausente(copia: Path) -> None:
    (copia / "mensagens" / ARQUIVO).unlink()
    erros = _erros(copia)
    assert erros == [f"{copia / 'mensagens' / ARQUIVO}: arquivo ausente: declare aqui os modelos do WhatsApp usados"]
