// One face of a run as every view shows it: the crop, who it is (or the closest candidate).
import { html, nothing, type TemplateResult } from "lit";
import type { HomeAssistant, RunFace } from "./api";
import { localize } from "./strings";

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
        ${closest} ${state}
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
