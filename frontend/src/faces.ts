// One face of a run as every view shows it: the crop, who it is (or the closest candidate).
import { html, nothing, type TemplateResult } from "lit";
import type { HomeAssistant, RunFace } from "./api";
import { outsideText } from "./rules";
import { localize, type StringKey } from "./strings";

export function faceSummary(hass: HomeAssistant, face: RunFace): TemplateResult {
  const t = (key: Parameters<typeof localize>[1], values?: Record<string, string | number>) => localize(hass, key, values);
  const who =
    face.name !== null
      ? html`<strong>${face.name}</strong> <span class="muted">${face.tier ? t(`tier.${face.tier}`) : ""}${face.similarity !== null ? html` · ${face.similarity.toFixed(1)} %` : nothing}</span>`
      : nothing; // the chip already says "Unknown"
  const closest =
    face.verdict === "unknown" && "closest" in face
      ? face.closest
        ? html`<div class="muted">${t("face.closest", { name: face.closest.name, tier: t(`tier.${face.closest.tier}`), similarity: face.closest.similarity.toFixed(1) })}</div>`
        : html`<div class="muted">${t("face.no_closest")}</div>`
      : nothing;
  const seen =
    face.visitor_id && (face.times_seen ?? 0) > 1 ? html`<div class="muted">${t("review.seen", { count: face.times_seen ?? 0 })}</div>` : nothing;
  const outside = face.outside_rules ? html`<div class="outside">${outsideText(hass, face.outside_rules)}</div>` : nothing;
  const state = face.enrolled
    ? html`<div class="muted">${t("face.enrolled", { name: face.enrolled.name, tier: t(`tier.${face.enrolled.tier}`) })}</div>`
    : face.dismissed
      ? html`<div class="muted">${t("face.dismissed")}</div>`
      : nothing;
  return html`
    <div class="face-row">
      ${face.image_url ? html`<img class="face" src=${face.image_url} alt="" loading="lazy" />` : nothing}
      <div>
        <div><span class="chip ${face.verdict}">${t(`verdict.${face.verdict}`)}</span> ${who}</div>
        ${outside} ${seen} ${closest} ${state}
      </div>
    </div>
  `;
}

export function backendName(hass: HomeAssistant, backend: string): string {
  const key = `backend.${backend}`;
  return ["backend.rekognition", "backend.local", "backend.local_fallback"].includes(key)
    ? localize(hass, key as "backend.local")
    : backend;
}

// Event types that say more than the frame's verdict (a known person not allowed now is "known").
const TYPE_CHIPS: Record<string, { key: StringKey; tone: string }> = {
  person_outside_rules: { key: "type.person_outside_rules", tone: "unknown" },
  loitering: { key: "type.loitering", tone: "blacklisted" },
};

/** What a run found, in words: its event type where that says more, else its verdict. */
export function runLabel(hass: HomeAssistant, run: { type: string; verdict: string }): string {
  const special = TYPE_CHIPS[run.type];
  return localize(hass, special ? special.key : (`verdict.${run.verdict}` as StringKey));
}

/** The chip for a run (its label, coloured by how alarming it is). */
export function runChip(hass: HomeAssistant, run: { type: string; verdict: string }): TemplateResult {
  return html`<span class="chip ${TYPE_CHIPS[run.type]?.tone ?? run.verdict}">${runLabel(hass, run)}</span>`;
}
