import sys, time, json
from pathlib import Path
sys.path.insert(0, ".")
from browser_tests.conftest import start_home_assistant
config = Path("/tmp/ui-explore"); config.mkdir(exist_ok=True)
process, api = start_home_assistant(config)
print("UP", api.url, flush=True)
Path("/tmp/ui-explore/url").write_text(api.url)
process.wait()
