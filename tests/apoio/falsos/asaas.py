"""A local fake of the Asaas API v3: the documented requests and responses, with failures to inject."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

# Public test vectors (docs/domain.md): a valid BB boleto and a valid static PIX.
LINHA = "00190500954014481606906809350314337370000000100"
BARRAS = "00193373700000001000500940144816060680935031"
PIX = (
    "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR"
    "5913Fulano de Tal6008BRASILIA62070503***63041D3D"
)
TOKEN = "$aact_teste_123"


@dataclass
class Falha:
    """The next request matching `metodo` and `caminho` (prefix) answers `status`, or hangs after doing its work."""

    metodo: str
    caminho: str
    status: int = 500
    corpo: dict[str, Any] | None = None
    pendurar_depois: bool = False  # do the work, then never answer: the client times out


@dataclass
class FakeAsaas:
    token: str = TOKEN
    url: str = ""
    clientes: dict[str, dict[str, Any]] = field(default_factory=dict)
    pagamentos: dict[str, dict[str, Any]] = field(default_factory=dict)
    falhas: list[Falha] = field(default_factory=list)
    chamadas: list[tuple[str, str]] = field(default_factory=list)
    corpos: list[dict[str, Any]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    liberar: asyncio.Event = field(default_factory=asyncio.Event)

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        app.add_routes(
            [
                web.get("/v3/customers", self._listar_clientes),
                web.post("/v3/customers", self._criar_cliente),
                web.get("/v3/payments", self._listar_pagamentos),
                web.post("/v3/payments", self._criar_pagamento),
                web.get("/v3/payments/{id}/identificationField", self._linha),
                web.get("/v3/payments/{id}/pixQrCode", self._pix),
            ]
        )
        return app

    def criados(self, metodo: str, caminho: str) -> int:
        return self.chamadas.count((metodo, caminho))

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self.chamadas.append((request.method, request.path))
        if request.headers.get("access_token") != self.token:
            return web.Response(status=401)  # Asaas answers a bad key with an empty 401
        falha = next(
            (f for f in self.falhas if f.metodo == request.method and request.path.startswith(f.caminho)), None
        )
        if falha is None:
            return await handler(request)
        self.falhas.remove(falha)
        if falha.pendurar_depois:
            await handler(request)
            await self.liberar.wait()
        return web.json_response(falha.corpo or {}, status=falha.status)

    def _id(self, prefixo: str) -> str:
        return f"{prefixo}_{next(self._ids):012d}"

    @staticmethod
    def _lista(itens: list[dict[str, Any]]) -> web.Response:
        return web.json_response(
            {"object": "list", "hasMore": False, "totalCount": len(itens), "limit": 10, "offset": 0, "data": itens}
        )

    async def _listar_clientes(self, request: web.Request) -> web.Response:
        cpf = request.query.get("cpfCnpj")
        return self._lista([c for c in self.clientes.values() if cpf is None or c["cpfCnpj"] == cpf])

    async def _criar_cliente(self, request: web.Request) -> web.Response:
        corpo = await request.json()
        self.corpos.append(corpo)
        if not corpo.get("name") or not corpo.get("cpfCnpj"):
            erro = {"code": "invalid_object", "description": "O campo name/cpfCnpj deve ser informado."}
            return web.json_response({"errors": [erro]}, status=400)
        cliente = {"object": "customer", "id": self._id("cus"), "deleted": False} | corpo
        self.clientes[cliente["id"]] = cliente
        return web.json_response(cliente)

    async def _listar_pagamentos(self, request: web.Request) -> web.Response:
        ref = request.query.get("externalReference")
        return self._lista([p for p in self.pagamentos.values() if ref is None or p["externalReference"] == ref])

    async def _criar_pagamento(self, request: web.Request) -> web.Response:
        corpo = await request.json()
        self.corpos.append(corpo)
        if corpo.get("customer") not in self.clientes:
            erro = {"code": "invalid_customer", "description": "Cliente inexistente."}
            return web.json_response({"errors": [erro]}, status=400)
        quantidade = int(corpo.get("installmentCount") or 1)
        valor = corpo["installmentValue"] if quantidade > 1 else corpo["value"]
        parcelamento = self._id("ins") if quantidade > 1 else None
        vencimento = date.fromisoformat(corpo["dueDate"])
        primeiro: dict[str, Any] | None = None
        for numero in range(quantidade):
            id_pagamento = self._id("pay")
            pagamento = {
                "object": "payment",
                "id": id_pagamento,
                "customer": corpo["customer"],
                "installment": parcelamento,
                "installmentNumber": numero + 1 if parcelamento else None,
                "value": valor,
                "netValue": round(valor * 0.98, 2),
                "billingType": corpo["billingType"],
                "status": "PENDING",
                "dueDate": (vencimento + timedelta(days=30 * numero)).isoformat(),
                "description": corpo.get("description"),
                "externalReference": corpo.get("externalReference"),
                "invoiceUrl": f"https://www.asaas.com/i/{id_pagamento}",
                "bankSlipUrl": f"https://www.asaas.com/b/pdf/{id_pagamento}",
                "deleted": False,
            }
            self.pagamentos[id_pagamento] = pagamento
            primeiro = primeiro or pagamento
        return web.json_response(primeiro)

    async def _linha(self, request: web.Request) -> web.Response:
        if request.match_info["id"] not in self.pagamentos:
            return web.json_response({"errors": [{"code": "not_found", "description": "Não encontrado"}]}, status=404)
        return web.json_response({"identificationField": LINHA, "nossoNumero": "6543", "barCode": BARRAS})

    async def _pix(self, request: web.Request) -> web.Response:
        if request.match_info["id"] not in self.pagamentos:
            return web.json_response({"errors": [{"code": "not_found", "description": "Não encontrado"}]}, status=404)
        return web.json_response(
            {"encodedImage": "iVBORw0KGgo=", "payload": PIX, "expirationDate": "2027-11-23 23:59:59"}
        )
