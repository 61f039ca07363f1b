"""Boleto and PIX, pure: codes, barcodes, BR Code, page tokens, receipts read, write-offs; no I/O."""
