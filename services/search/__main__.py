from services.runtime.rpc import run
from services.search.bootstrap import build_app

run(build_app)
