from services.runtime.rpc import run
from services.ticketing.bootstrap import build_app

run(build_app)
