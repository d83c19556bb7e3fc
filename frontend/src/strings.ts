// The panel's texts. English is the only language so far; a translation is one more table here.
import type { HomeAssistant } from "./api";

const en = {
  title: "Intruder Alert",
  "tab.visitors": "Visitors",
  "tab.review": "Review",
  "tab.people": "People",
  "tab.zones": "Zones",
  "verdict.known": "Known",
  "verdict.unknown": "Unknown",
  "verdict.blacklisted": "Blacklisted",
  "verdict.no_face": "No face",
  "verdict.failed": "Failed",
  "tier.whitelist": "Whitelist",
  "tier.blacklist": "Blacklist",
  "tier.whitelist.hint": "people who belong",
  "tier.blacklist.hint": "known intruders",
  "filter.zone": "Zone",
  "filter.verdict": "Verdict",
  "filter.person": "Person",
  "filter.after": "From",
  "filter.before": "Until",
  "filter.any": "Any",
  "filter.clear": "Clear filters",
  "visitors.empty": "No visitors yet. A run appears here after motion or \"Recognise now\".",
  "visitors.more": "Show older visitors",
  "visitors.faces": "{count} faces",
  "visitors.no_snapshot": "No snapshot (the camera failed)",
  "run.title": "{zone}, {time}",
  "run.backend": "Recognised by {backend}",
  "backend.rekognition": "AWS Rekognition",
  "backend.local": "this device (dlib)",
  "backend.local_fallback": "this device (dlib), as the cloud failed",
  "run.reason": "Why: {reason}",
  "run.open_original": "Original photo",
  "run.evidence": "Evidence",
  "run.evidence_kept": "Kept as evidence: not deleted after the retention period until you release it.",
  "run.release": "Release",
  "run.released": "Released: deleted with the other old visits once past the retention period.",
  "run.close": "Close",
  "face.unknown": "Unknown",
  "face.closest": "Closest: {name} ({tier}) {similarity} %",
  "face.no_closest": "Nobody enrolled looks alike",
  "face.enrolled": "Added as {name} ({tier})",
  "face.dismissed": "Ignored",
  "face.this_is": "This is…",
  "face.choose": "Choose a person",
  "face.new_person": "New person",
  "face.name": "Name",
  "face.tier": "List",
  "face.add": "Add",
  "face.ignore": "Ignore",
  "face.saved": "Saved: {name} ({tier})",
  "review.empty": "Nothing to review: every unknown face has been named or ignored.",
  "review.intro": "Unknown faces from kept visits. Name them once and the next visit is recognised.",
  "people.empty": "Nobody in this list yet.",
  "people.faces": "{count} faces",
  "people.face": "1 face",
  "people.added": "added {date}",
  "people.move_to": "Move to {tier}",
  "people.remove": "Remove",
  "people.confirm_remove": "Forget {name}? Their faces are deleted from the {tier} everywhere.",
  "people.add_title": "Add a person from a photo",
  "people.photo": "Photo (JPEG or PNG, one face)",
  "people.upload": "Add person",
  "people.account": "Account",
  "people.uploaded": "{name} was added to the {tier}",
  "people.moved": "{name} was moved to the {tier}",
  "people.removed": "{name} was removed",
  "zones.empty": "No Intruder Alert zones yet: add one on the integration's page.",
  "zones.motion": "Motion source",
  "zones.camera": "Camera",
  "zones.ok": "OK",
  "zones.unavailable": "Unavailable",
  "zones.armed": "Armed",
  "zones.disarmed": "Disarmed",
  "zones.no_panel": "Always watching (no alarm panel)",
  "zones.on_motion": "Recognition on motion",
  "zones.on": "On",
  "zones.off": "Off",
  "zones.last_run": "Last run",
  "zones.never": "No run yet",
  "zones.recognise_now": "Recognise now",
  "zones.recognising": "Recognising…",
  "zones.result": "{zone}: {verdict}",
  loading: "Loading…",
  retry: "Try again",
};

export type StringKey = keyof typeof en;
const tables: Record<string, Partial<Record<StringKey, string>>> = { en };

export function localize(hass: HomeAssistant | undefined, key: StringKey, values: Record<string, string | number> = {}): string {
  const language = hass?.language ?? "en";
  const table = tables[language] ?? tables[language.split("-")[0]] ?? en;
  const text = table[key] ?? en[key];
  return text.replace(/\{(\w+)\}/g, (_, name: string) => (name in values ? String(values[name]) : `{${name}}`));
}

export function formatTime(hass: HomeAssistant | undefined, iso: string): string {
  return new Date(iso).toLocaleString(hass?.language ?? "en", { dateStyle: "medium", timeStyle: "medium" });
}

export function formatDate(hass: HomeAssistant | undefined, iso: string): string {
  return new Date(iso).toLocaleDateString(hass?.language ?? "en", { dateStyle: "medium" });
}
