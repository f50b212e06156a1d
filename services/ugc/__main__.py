from services.runtime.rpc import run
from services.ugc.bootstrap import build_app

run(build_app)
