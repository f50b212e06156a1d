from services.gamification.bootstrap import build_app
from services.runtime.rpc import run

run(build_app)
