import sys; sys.path.insert(0,"scripts/tools")
from pathlib import Path
from ha_rest import HomeAssistantRest
api=HomeAssistantRest(Path("/tmp/ui-explore/url").read_text()); api.onboard("Owner","owner","browser-test-password")
for s in api.call("GET","/api/states"):
    if "front_door" in s["entity_id"] or "intruder" in s["entity_id"]: print(s["entity_id"], s["state"])
print([(e["title"],e["state"]) for e in api.entries("intruder_alert")])
