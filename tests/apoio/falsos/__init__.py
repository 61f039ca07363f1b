"""Local fakes of third parties, each a real aiohttp app speaking the provider's wire format."""
