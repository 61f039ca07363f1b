"""The Asaas API v3 adapter: customers, charges (BOLETO/PIX, installments) and their codes, over aiohttp."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.boleto_pix.boleto import formatar_linha
from bot.boleto_pix.provedor import (
    CobrancaEmitida,
    ErroProvedor,
    PedidoCobranca,
    ProvedorIndisponivel,
    ProvedorRecusou,
)

log = logging.getLogger(__name__)

USER_AGENT = "cobranca-amigavel"  # Asaas asks every integration to identify itself


@dataclass(frozen=True)
class ProvedorAsaas:
    """Issues charges at Asaas; `externalReference` = our key, looked up before creating, so retries reuse it."""

    url: str
    token: str
    forma: str = "BOLETO"
    timeout_segundos: float = 10.0
    nome: str = "asaas"

    async def emitir(self, pedido: PedidoCobranca) -> CobrancaEmitida:
        timeout = aiohttp.ClientTimeout(total=self.timeout_segundos)
        cabecalhos = {"access_token": self.token, "User-Agent": USER_AGENT}
        async with aiohttp.ClientSession(headers=cabecalhos, timeout=timeout) as http:
            api = _Api(http, self.url.rstrip("/"))
            pagamento = await self._existente(api, pedido.chave)
            if pagamento is None:
                pagamento = await self._criar(api, pedido)
            return await self._codigos(api, pagamento)

    async def _existente(self, api: _Api, chave: str) -> dict[str, Any] | None:
        lista = await api.get("/payments", {"externalReference": chave})
        vivos = [p for p in _itens(lista) if not p.get("deleted")]
        # An installment charge yields one payment per installment, all with our key: the first is due first.
        vivos.sort(key=lambda p: (str(p.get("dueDate", "")), str(p.get("id", ""))))
        return vivos[0] if vivos else None

    async def _cliente(self, api: _Api, pedido: PedidoCobranca) -> str:
        lista = await api.get("/customers", {"cpfCnpj": pedido.devedor_cpf})
        for cliente in _itens(lista):
            if not cliente.get("deleted"):
                return _texto(cliente, "id")
        criado = await api.post("/customers", {"name": pedido.devedor_nome, "cpfCnpj": pedido.devedor_cpf})
        return _texto(criado, "id")

    async def _criar(self, api: _Api, pedido: PedidoCobranca) -> dict[str, Any]:
        corpo: dict[str, Any] = {
            "customer": await self._cliente(api, pedido),
            "billingType": self.forma,
            "dueDate": pedido.vencimento.isoformat(),
            "description": pedido.descricao,
            "externalReference": pedido.chave,
        }
        if pedido.parcelas > 1:
            corpo |= {"installmentCount": pedido.parcelas, "installmentValue": float(pedido.valor)}
        else:
            corpo["value"] = float(pedido.valor)
        criado = await api.post("/payments", corpo)
        log.info("cobrança %s criada no Asaas para a chave %s", criado.get("id"), pedido.chave)
        return criado

    async def _codigos(self, api: _Api, pagamento: dict[str, Any]) -> CobrancaEmitida:
        id_pagamento = _texto(pagamento, "id")
        linha = barras = ""
        if self.forma == "BOLETO":
            campo = await api.get(f"/payments/{id_pagamento}/identificationField")
            try:
                linha = formatar_linha(_texto(campo, "identificationField"))
            except ValueError as erro:
                raise ErroProvedor(f"linha digitável inválida do Asaas: {erro}") from erro
            barras = _texto(campo, "barCode")
        qr = await api.get(f"/payments/{id_pagamento}/pixQrCode")
        dados = {k: pagamento.get(k) for k in ("id", "status", "invoiceUrl", "bankSlipUrl", "installment")}
        return CobrancaEmitida(id_pagamento, linha, barras, _texto(qr, "payload"), dados)


@dataclass(frozen=True)
class _Api:
    """One JSON call; every failure becomes a typed `ErroProvedor`."""

    http: aiohttp.ClientSession
    base: str

    async def get(self, caminho: str, parametros: dict[str, str] | None = None) -> dict[str, Any]:
        return await self._chamar("GET", caminho, params=parametros)

    async def post(self, caminho: str, corpo: dict[str, Any]) -> dict[str, Any]:
        return await self._chamar("POST", caminho, json=corpo)

    async def _chamar(self, metodo: str, caminho: str, **kwargs: Any) -> dict[str, Any]:
        try:
            async with self.http.request(metodo, self.base + caminho, **kwargs) as resposta:
                texto = await resposta.text()
                status = resposta.status
        except TimeoutError as erro:
            raise ProvedorIndisponivel(f"o Asaas não respondeu a tempo ({metodo} {caminho})") from erro
        except aiohttp.ClientError as erro:
            raise ProvedorIndisponivel(f"falha de conexão com o Asaas ({metodo} {caminho}): {erro}") from erro
        if status >= 500:
            raise ProvedorIndisponivel(f"o Asaas falhou (HTTP {status}) em {metodo} {caminho}", {"status": status})
        corpo = _json(texto)
        if status >= 400:
            erros = corpo.get("errors") if isinstance(corpo, dict) else None
            raise ProvedorRecusou(status, _erros(erros))
        if not isinstance(corpo, dict):
            raise ErroProvedor(f"resposta inválida do Asaas em {metodo} {caminho}: esperado um objeto JSON")
        return corpo


def _json(texto: str) -> Any:
    try:
        return json.loads(texto) if texto.strip() else {}
    except json.JSONDecodeError:
        return None


def _erros(erros: Any) -> list[dict[str, str]]:
    if not isinstance(erros, list):
        return []
    return [
        {"code": str(e.get("code", "")), "description": str(e.get("description", ""))}
        for e in erros
        if isinstance(e, dict)
    ]


def _itens(lista: dict[str, Any]) -> list[dict[str, Any]]:
    dados = lista.get("data")
    return [item for item in dados if isinstance(item, dict)] if isinstance(dados, list) else []


def _texto(objeto: dict[str, Any], chave: str) -> str:
    valor = objeto.get(chave)
    if not isinstance(valor, str) or not valor:
        raise ErroProvedor(f"resposta do Asaas sem o campo {chave!r}")
    return valor
