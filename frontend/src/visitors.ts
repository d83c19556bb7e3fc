// Visitors: every run, newest first, paged and filtered; a run opens full size with its faces.
import { LitElement, css, html, nothing } from "lit";
import { IntruderAlertApi, errorText, type HomeAssistant, type People, type Run, type RunFilter, type Verdict, type Zone } from "./api";
import { backendName, faceSummary, runChip } from "./faces";
import { formatTime, localize } from "./strings";
import { shared } from "./styles";
import "./face-actions";

const VERDICTS: Verdict[] = ["blacklisted", "unknown", "known", "no_face", "failed"];

export class VisitorsView extends LitElement {
  static properties = {
    hass: { attribute: false },
    zones: { attribute: false },
    people: { attribute: false },
    _runs: { state: true },
    _cursor: { state: true },
    _filter: { state: true },
    _loading: { state: true },
    _error: { state: true },
    _open: { state: true },
    _released: { state: true },
  };

  declare hass: HomeAssistant;
  declare zones: Zone[];
  declare people: People | undefined;
  declare _runs: Run[] | undefined;
  declare _cursor: string | null;
  declare _filter: RunFilter;
  declare _loading: boolean;
  declare _error: string;
  declare _open: Run | undefined;
  declare _released: string | undefined;

  constructor() {
    super();
    this.zones = [];
    this._cursor = null;
    this._filter = {};
    this._loading = false;
    this._error = "";
  }

  private t = (key: Parameters<typeof localize>[1], values?: Record<string, string | number>) =>
    localize(this.hass, key, values);

  connectedCallback(): void {
    super.connectedCallback();
    void this.reload();
  }

  /** The first page again (after a filter change, a decision, or a new run). */
  async reload(): Promise<void> {
    await this._load(null);
  }

  private async _load(cursor: string | null): Promise<void> {
    this._loading = true;
    this._error = "";
    try {
      const page = await new IntruderAlertApi(this.hass).runs(this._filter, cursor);
      this._runs = cursor ? [...(this._runs ?? []), ...page.runs] : page.runs;
      this._cursor = page.next_cursor;
    } catch (error) {
      this._error = errorText(error);
    } finally {
      this._loading = false;
    }
  }

  private _setFilter(change: Partial<RunFilter>): void {
    this._filter = { ...this._filter, ...change };
    void this.reload();
  }

  private async _openRun(run: Run): Promise<void> {
    this._released = undefined;
    try {
      this._open = await new IntruderAlertApi(this.hass).run(run.run_id);
    } catch (error) {
      this._error = errorText(error);
    }
  }

  /** Stop keeping a run as evidence: it goes with the other old runs (docs/evidence.md). */
  private async _release(run: Run): Promise<void> {
    try {
      await new IntruderAlertApi(this.hass).releaseEvidence(run.entry_id, run.run_id);
    } catch (error) {
      this._error = errorText(error);
      return;
    }
    this._released = run.run_id;
    if (this._open?.run_id === run.run_id) this._open = { ...this._open, evidence: false };
    this._runs = this._runs?.map((item) => (item.run_id === run.run_id ? { ...item, evidence: false } : item));
  }

  private async _decided(): Promise<void> {
    if (this._open) await this._openRun(this._open);
    this.dispatchEvent(new CustomEvent("library-changed", { bubbles: true, composed: true }));
  }

  private _day(value: string, end: boolean): string | undefined {
    // A date picked in the browser's time zone, as the ISO instant the API compares with.
    if (!value) return undefined;
    const day = new Date(`${value}T00:00:00`);
    if (end) day.setDate(day.getDate() + 1);
    return day.toISOString();
  }

  private _filters() {
    const zoneNames = [...new Set(this.zones.map((zone) => zone.name))];
    return html`
      <div class="row filters">
        <label>${this.t("filter.zone")}
          <select aria-label=${this.t("filter.zone")} @change=${(e: Event) => this._setFilter({ zone: (e.target as HTMLSelectElement).value || undefined })}>
            <option value="">${this.t("filter.any")}</option>
            ${zoneNames.map((name) => html`<option value=${name}>${name}</option>`)}
          </select>
        </label>
        <label>${this.t("filter.verdict")}
          <select aria-label=${this.t("filter.verdict")} @change=${(e: Event) => {
            const value = (e.target as HTMLSelectElement).value as Verdict | "";
            this._setFilter({ verdicts: value ? [value] : undefined });
          }}>
            <option value="">${this.t("filter.any")}</option>
            ${VERDICTS.map((verdict) => html`<option value=${verdict}>${this.t(`verdict.${verdict}`)}</option>`)}
          </select>
        </label>
        <label>${this.t("filter.person")}
          <input type="search" aria-label=${this.t("filter.person")} @change=${(e: Event) => this._setFilter({ person: (e.target as HTMLInputElement).value.trim() || undefined })} />
        </label>
        <label>${this.t("filter.after")}
          <input type="date" aria-label=${this.t("filter.after")} @change=${(e: Event) => this._setFilter({ after: this._day((e.target as HTMLInputElement).value, false) })} />
        </label>
        <label>${this.t("filter.before")}
          <input type="date" aria-label=${this.t("filter.before")} @change=${(e: Event) => this._setFilter({ before: this._day((e.target as HTMLInputElement).value, true) })} />
        </label>
      </div>
    `;
  }

  private _card(run: Run) {
    return html`
      <button class="card run" data-run-id=${run.run_id} @click=${() => this._openRun(run)}>
        ${run.thumbnail_url
          ? html`<img class="thumb" src=${run.thumbnail_url} alt="" loading="lazy" />`
          : html`<div class="thumb none muted">${this.t("visitors.no_snapshot")}</div>`}
        <div class="row head">
          ${runChip(this.hass, run)}
          ${run.evidence ? html`<span class="chip evidence">${this.t("run.evidence")}</span>` : nothing}
          <span class="zone">${run.zone}</span>
        </div>
        <div class="muted">${formatTime(this.hass, run.time)}</div>
        <div class="people">
          ${run.faces.map(
            (face) => html`<div class="who ${face.verdict}">
              ${face.image_url ? html`<img class="mini" src=${face.image_url} alt="" loading="lazy" />` : nothing}
              <span>${face.name ?? this.t("face.unknown")}${face.similarity !== null ? html` <span class="muted">${Math.round(face.similarity)} %</span>` : nothing}</span>
            </div>`,
          )}
        </div>
      </button>
    `;
  }

  private _dialog(run: Run) {
    return html`
      <div class="backdrop" @click=${(e: Event) => e.target === e.currentTarget && (this._open = undefined)}>
        <div class="dialog card" role="dialog" aria-label=${this.t("run.title", { zone: run.zone, time: formatTime(this.hass, run.time) })}>
          <div class="row between">
            <h2>${this.t("run.title", { zone: run.zone, time: formatTime(this.hass, run.time) })}</h2>
            <button @click=${() => (this._open = undefined)}>${this.t("run.close")}</button>
          </div>
          <div class="row">${runChip(this.hass, run)}<span class="muted">${this.t("run.backend", { backend: backendName(this.hass, run.backend) })}</span></div>
          ${run.reason ? html`<p class="muted">${this.t("run.reason", { reason: run.reason })}</p>` : nothing}
          ${run.evidence
            ? html`<div class="row evidence"><span class="chip evidence">${this.t("run.evidence")}</span><span class="muted">${this.t("run.evidence_kept")}</span><button @click=${() => this._release(run)}>${this.t("run.release")}</button></div>`
            : this._released === run.run_id
              ? html`<p class="muted released">${this.t("run.released")}</p>`
              : nothing}
          <div class="body">
          <div class="picture">
          ${run.annotated_url || run.snapshot_url ? html`<img class="full" src=${(run.annotated_url ?? run.snapshot_url) as string} alt="" />` : nothing}
          ${run.snapshot_url && run.annotated_url ? html`<a class="muted" href=${run.snapshot_url} target="_blank" rel="noreferrer">${this.t("run.open_original")}</a>` : nothing}
          </div>
          <div class="faces">
            ${run.faces.map(
              (face) => html`<div class="face-item">
                ${faceSummary(this.hass, face)}
                ${face.verdict === "unknown" && !face.enrolled && !face.dismissed && face.image_url
                  ? html`<intruder-alert-face-actions .hass=${this.hass} .people=${this.people} .runId=${run.run_id} .faceIndex=${face.index} @face-decided=${this._decided}></intruder-alert-face-actions>`
                  : nothing}
              </div>`,
            )}
          </div>
          </div>
        </div>
      </div>
    `;
  }

  render() {
    return html`
      ${this._filters()}
      ${this._error ? html`<div class="message error" role="alert">${this._error}</div>` : nothing}
      ${this._runs === undefined
        ? html`<p class="muted">${this.t("loading")}</p>`
        : this._runs.length === 0
          ? html`<p class="muted">${this.t("visitors.empty")}</p>`
          : html`<div class="grid">${this._runs.map((run) => this._card(run))}</div>`}
      ${this._cursor ? html`<div class="more"><button ?disabled=${this._loading} @click=${() => this._load(this._cursor)}>${this.t("visitors.more")}</button></div>` : nothing}
      ${this._open ? this._dialog(this._open) : nothing}
    `;
  }

  static styles = [
    shared,
    css`
      .filters {
        margin-bottom: 16px;
        align-items: flex-end;
      }
      button.run {
        text-align: left;
        color: inherit;
        border-radius: var(--ha-card-border-radius, 12px);
        border: 1px solid var(--divider-color, #e0e0e0);
        display: flex;
        flex-direction: column;
        gap: 6px;
        padding: 0 0 12px;
        overflow: hidden;
        font-weight: 400;
      }
      button.run > :not(img):not(.thumb) {
        padding: 0 12px;
      }
      .thumb {
        width: 100%;
        aspect-ratio: 4 / 3;
        object-fit: cover;
        background: var(--secondary-background-color, #eee);
      }
      .thumb.none {
        display: flex;
        align-items: center;
        justify-content: center;
        text-align: center;
      }
      .zone {
        font-weight: 500;
      }
      .people {
        display: flex;
        flex-wrap: wrap;
        gap: 6px 12px;
        font-size: 14px;
      }
      .who {
        display: flex;
        align-items: center;
        gap: 6px;
      }
      img.mini {
        width: 28px;
        height: 28px;
        border-radius: 50%;
        object-fit: cover;
      }
      .who.blacklisted {
        color: var(--error-color, #db4437);
        font-weight: 500;
      }
      .more {
        display: flex;
        justify-content: center;
        margin: 16px 0;
      }
      .backdrop {
        position: fixed;
        inset: 0;
        background: rgba(0, 0, 0, 0.5);
        display: flex;
        align-items: flex-start;
        justify-content: center;
        overflow: auto;
        z-index: 10;
        padding: 24px 8px;
      }
      .dialog {
        max-width: 1100px;
        width: 100%;
      }
      .body {
        display: grid;
        grid-template-columns: minmax(0, 3fr) minmax(240px, 2fr);
        gap: 16px;
        align-items: start;
      }
      @media (max-width: 800px) {
        .body {
          grid-template-columns: 1fr;
        }
      }
      .between {
        justify-content: space-between;
      }
      .chip.evidence {
        background: var(--info-color, #039be5);
      }
      .row.evidence {
        margin: 8px 0;
        align-items: center;
      }
      img.full {
        display: block;
        max-width: 100%;
        max-height: 70vh;
        margin: 12px auto 4px;
        border-radius: 8px;
      }
      .faces {
        display: flex;
        flex-direction: column;
        gap: 12px;
        margin-top: 12px;
      }
      .face-item {
        display: flex;
        flex-direction: column;
        gap: 8px;
        padding-top: 12px;
        border-top: 1px solid var(--divider-color, #e0e0e0);
      }
    `,
  ];
}

customElements.define("intruder-alert-visitors", VisitorsView);
