"""Schema commands: `python -m bot.dados migrar [URL]`, `python -m bot.dados revisao "mensagem"`."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

from bot.dados.banco import config_alembic, migrar, url_padrao


def nova_revisao(mensagem: str) -> None:
    """Autogenerate the next numbered migration by diffing the models against a scratch database at head."""
    with tempfile.TemporaryDirectory() as pasta:
        url = f"sqlite+aiosqlite:///{Path(pasta) / 'rascunho.db'}"
        migrar(url)
        config = config_alembic(url)
        ganchos = {
            "hooks": "ruff",
            "ruff.type": "module",
            "ruff.module": "ruff",
            "ruff.options": "format REVISION_SCRIPT_FILENAME",
        }
        for chave, valor in ganchos.items():
            config.set_section_option("post_write_hooks", chave, valor)
        revisoes = ScriptDirectory.from_config(config).walk_revisions()
        proximo = max(int(r.revision) for r in revisoes if r.revision.isdigit()) + 1  # ids need not be dense
        command.revision(config, message=mensagem, autogenerate=True, rev_id=f"{proximo:04d}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.dados", description=__doc__)
    comandos = parser.add_subparsers(dest="comando", required=True)
    cmd_migrar = comandos.add_parser("migrar", help="aplica as migrações pendentes")
    cmd_migrar.add_argument("url", nargs="?", default=url_padrao())
    cmd_revisao = comandos.add_parser("revisao", help="gera a próxima migração a partir dos modelos")
    cmd_revisao.add_argument("mensagem")
    args = parser.parse_args(argv)
    if args.comando == "migrar":
        migrar(args.url)
    else:
        nova_revisao(args.mensagem)


if __name__ == "__main__":
    main()
