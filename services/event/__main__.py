import asyncio

from services.event.bootstrap import build_app
from services.runtime.rpc import serve


async def _main() -> None:
    await serve(await build_app())


asyncio.run(_main())
