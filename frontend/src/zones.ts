// Zones: each zone's sources, armed state, last run, and "Recognise now".
import { LitElement, css, html, nothing } from "lit";
import { IntruderAlertApi, errorText, type HomeAssistant, type Run, type Zone } from "./api";
import { faceSummary, runChip, runLabel } from "./faces";
import { formatTime, localize } from "./strings";
import { shared } from "./styles";

export class ZonesView extends LitElement {
  static properties = {
    hass: { attribute: false },
    zones: { attribute: false },
    _busy: { state: true },
    _error: { state: true },
    _result: { state: true },
  };

  declare hass: HomeAssistant;
  declare zones: Zone[] | undefined;
  declare _busy: string;
  declare _error: string;
  declare _result: Run | undefined;

  constructor() {
    super();
    this._busy = "";
    this._error = "";
  }

  private t = (key: Parameters<typeof localize>[1], values?: Record<string, string | number>) =>
    localize(this.hass, key, values);

  private async _recognise(zone: Zone): Promise<void> {
    this._busy = zone.zone_id;
    this._error = "";
    this._result = undefined;
    try {
      this._result = await new IntruderAlertApi(this.hass).recogniseNow(zone.entry_id, zone.zone_id);
      this.dispatchEvent(new CustomEvent("library-changed", { bubbles: true, composed: true }));
    } catch (error) {
      this._error = errorText(error);
    } finally {
      this._busy = "";
    }
  }

  private _state(ok: boolean) {
    return html`<span class="chip ${ok ? "known" : "failed"}">${ok ? this.t("zones.ok") : this.t("zones.unavailable")}</span>`;
  }

  private _zone(zone: Zone) {
    return html`
      <div class="card zone" data-zone=${zone.name}>
        <h2>${zone.name}</h2>
        <dl>
          <dt>${this.t("zones.motion")}</dt><dd>${this._state(zone.motion_available)}</dd>
          <dt>${this.t("zones.camera")}</dt><dd>${this._state(zone.camera_available)}</dd>
          <dt>${this.t("zones.armed")}</dt>
          <dd>${zone.alarm_panel ? (zone.armed ? this.t("zones.armed") : this.t("zones.disarmed")) : this.t("zones.no_panel")}</dd>
          <dt>${this.t("zones.on_motion")}</dt><dd>${zone.recognize_on_motion ? this.t("zones.on") : this.t("zones.off")}</dd>
          <dt>${this.t("zones.last_run")}</dt>
          <dd class="last-run">
            ${zone.last_run
              ? html`${runChip(this.hass, zone.last_run)}
                  ${zone.last_run.names.join(", ")} <span class="muted">${formatTime(this.hass, zone.last_run.time)}</span>`
              : html`<span class="muted">${this.t("zones.never")}</span>`}
          </dd>
        </dl>
        <button class="primary" ?disabled=${this._busy !== ""} @click=${() => this._recognise(zone)}>
          ${this._busy === zone.zone_id ? this.t("zones.recognising") : this.t("zones.recognise_now")}
        </button>
      </div>
    `;
  }

  render() {
    const result = this._result;
    return html`
      ${this._error ? html`<div class="message error" role="alert">${this._error}</div>` : nothing}
      ${result
        ? html`<div class="card result" role="status">
            <div class="row">
              <strong>${this.t("zones.result", { zone: result.zone, verdict: runLabel(this.hass, result) })}</strong>
              ${result.reason ? html`<span class="muted">${result.reason}</span>` : nothing}
            </div>
            <div class="faces">${result.faces.map((face) => faceSummary(this.hass, face))}</div>
          </div>`
        : nothing}
      ${this.zones === undefined
        ? html`<p class="muted">${this.t("loading")}</p>`
        : this.zones.length === 0
          ? html`<p class="muted">${this.t("zones.empty")}</p>`
          : html`<div class="grid">${this.zones.map((zone) => this._zone(zone))}</div>`}
    `;
  }

  static styles = [
    shared,
    css`
      dl {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 8px 16px;
        margin: 0 0 16px;
        font-size: 14px;
      }
      dt {
        color: var(--secondary-text-color);
      }
      dd {
        margin: 0;
      }
      .result {
        margin-bottom: 16px;
      }
      .faces {
        display: flex;
        flex-wrap: wrap;
        gap: 16px;
        margin-top: 12px;
      }
    `,
  ];
}

customElements.define("intruder-alert-zones", ZonesView);
