// Typed calls of the integration's websocket commands (docs/websocket_api.md).

export type Tier = "whitelist" | "blacklist";
export type Verdict = "known" | "unknown" | "blacklisted" | "no_face" | "failed";

export interface HomeAssistant {
  callWS<T>(message: Record<string, unknown>): Promise<T>;
  language: string;
  user?: { is_admin: boolean; name: string };
}

export interface Closest {
  name: string;
  tier: Tier;
  similarity: number;
}

export interface RunFace {
  index: number;
  tier: Tier | null;
  name: string | null;
  similarity: number | null;
  verdict: Verdict;
  closest?: Closest | null;
  dismissed?: boolean;
  enrolled?: { tier: Tier; name: string } | null;
  /** Why a known face was not allowed now ("outside_allowed_hours", "while_armed_away", …). */
  outside_rules?: string | null;
  /** A remembered stranger: the same id each time they come back. */
  visitor_id?: string | null;
  times_seen?: number | null;
  image_url: string | null;
}

export interface Run {
  run_id: string;
  entry_id: string;
  time: string;
  zone: string;
  device_id: string | null;
  type: string;
  verdict: Verdict;
  backend: string;
  names: string[];
  reason: string | null;
  faces: RunFace[];
  /** Kept past the retention until an administrator releases it (docs/evidence.md). */
  evidence?: boolean;
  /** Whether the zone was armed when the run started. */
  armed?: boolean;
  snapshot_url: string | null;
  annotated_url: string | null;
  thumbnail_url: string | null;
}

export interface RunsPage {
  runs: Run[];
  next_cursor: string | null;
}

export interface RunFilter {
  zone?: string;
  verdicts?: Verdict[];
  person?: string;
  after?: string;
  before?: string;
}

export interface ReviewFace {
  entry_id: string;
  run_id: string;
  face_index: number;
  time: string;
  zone: string;
  closest: Closest | null;
  /** The remembered stranger this face is (faces of one visitor share it), and how often seen. */
  visitor_id?: string | null;
  times_seen?: number | null;
  image_url: string | null;
  snapshot_url: string | null;
  thumbnail_url: string | null;
}

export type Weekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";

/** When a whitelisted person is allowed (docs/websocket_api.md, "People's rules"). */
export interface PersonRules {
  windows: { days: Weekday[]; start: string; end: string }[];
  until: string | null;
  not_while: string[];
}

export interface Person {
  rules?: PersonRules | null;
  name: string;
  user_id: string;
  faces: number;
  added: string | null;
  thumbnail_url?: string | null;
}

export interface People {
  entry_id: string;
  whitelist: Person[];
  blacklist: Person[];
}

export interface Zone {
  entry_id: string;
  zone_id: string;
  name: string;
  device_id: string | null;
  motion_available: boolean;
  camera_available: boolean;
  alarm_panel: string | null;
  armed: boolean;
  recognize_on_motion: boolean;
  last_run: { run_id: string; time: string; type: string; verdict: Verdict; names: string[] } | null;
}

/** What Home Assistant's websocket rejects with (our errors carry a translated message). */
export interface WsError {
  code: string;
  message: string;
}

export function errorText(error: unknown): string {
  if (error && typeof error === "object" && "message" in error) {
    return String((error as WsError).message);
  }
  return String(error);
}

const D = "intruder_alert";

export class IntruderAlertApi {
  constructor(private readonly hass: HomeAssistant) {}

  runs(filter: RunFilter, cursor: string | null, limit = 24): Promise<RunsPage> {
    const message: Record<string, unknown> = { type: `${D}/runs`, limit };
    if (cursor) message.cursor = cursor;
    if (filter.zone) message.zone = filter.zone;
    if (filter.verdicts?.length) message.verdicts = filter.verdicts;
    if (filter.person) message.person = filter.person;
    if (filter.after) message.after = filter.after;
    if (filter.before) message.before = filter.before;
    return this.hass.callWS<RunsPage>(message);
  }

  run(runId: string): Promise<Run> {
    return this.hass.callWS<Run>({ type: `${D}/run`, run_id: runId });
  }

  review(): Promise<{ faces: ReviewFace[] }> {
    return this.hass.callWS({ type: `${D}/review`, limit: 100 });
  }

  dismiss(runId: string, faceIndex: number): Promise<unknown> {
    return this.hass.callWS({ type: `${D}/dismiss`, run_id: runId, face_index: faceIndex });
  }

  releaseEvidence(entryId: string, runId: string): Promise<{ run_id: string; evidence: boolean; released: string }> {
    return this.hass.callWS({ type: `${D}/release_evidence`, entry_id: entryId, run_id: runId });
  }

  people(entryId?: string): Promise<People> {
    return this.hass.callWS<People>(entryId ? { type: `${D}/people`, entry_id: entryId } : { type: `${D}/people` });
  }

  enrollRunFace(runId: string, faceIndex: number, tier: Tier, name: string): Promise<unknown> {
    return this.hass.callWS({ type: `${D}/enroll_run_face`, run_id: runId, face_index: faceIndex, tier, name });
  }

  enrollVisitor(entryId: string | undefined, visitorId: string, tier: Tier, name: string): Promise<unknown> {
    const message: Record<string, unknown> = { type: `${D}/enroll_visitor`, visitor_id: visitorId, tier, name };
    if (entryId) message.entry_id = entryId;
    return this.hass.callWS(message);
  }

  enrollUpload(entryId: string | undefined, tier: Tier, name: string, image: string): Promise<unknown> {
    const message: Record<string, unknown> = { type: `${D}/enroll_upload`, tier, name, image };
    if (entryId) message.entry_id = entryId;
    return this.hass.callWS(message);
  }

  move(entryId: string | undefined, name: string, fromTier: Tier, toTier: Tier): Promise<unknown> {
    const message: Record<string, unknown> = { type: `${D}/move`, name, from_tier: fromTier, to_tier: toTier };
    if (entryId) message.entry_id = entryId;
    return this.hass.callWS(message);
  }

  remove(entryId: string | undefined, tier: Tier, name: string): Promise<unknown> {
    const message: Record<string, unknown> = { type: `${D}/remove`, tier, name };
    if (entryId) message.entry_id = entryId;
    return this.hass.callWS(message);
  }

  setPersonRules(entryId: string | undefined, name: string, rules: PersonRules): Promise<{ rules: PersonRules | null }> {
    const message: Record<string, unknown> = { type: `${D}/set_person_rules`, tier: "whitelist", name, ...rules };
    if (entryId) message.entry_id = entryId;
    return this.hass.callWS(message);
  }

  zones(): Promise<{ zones: Zone[] }> {
    return this.hass.callWS({ type: `${D}/zones` });
  }

  recogniseNow(entryId: string, zoneId: string): Promise<Run> {
    return this.hass.callWS<Run>({ type: `${D}/recognise_now`, entry_id: entryId, zone_id: zoneId });
  }
}
