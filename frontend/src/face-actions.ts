// The decision on one unknown face, keyed by run id + face index so the face enrolled is the
// face shown: "This is…" an existing person, "New person" (name + tier), or "Ignore".
import { LitElement, css, html, nothing } from "lit";
import { IntruderAlertApi, errorText, type HomeAssistant, type People, type Tier } from "./api";
import { localize } from "./strings";
import { shared } from "./styles";

export class FaceActions extends LitElement {
  static properties = {
    hass: { attribute: false },
    people: { attribute: false },
    runId: { attribute: false },
    faceIndex: { attribute: false },
    entryId: { attribute: false },
    visitorId: { attribute: false },
    alsoIgnore: { attribute: false },
    _mode: { state: true },
    _busy: { state: true },
    _error: { state: true },
  };

  declare hass: HomeAssistant;
  declare people: People | undefined;
  declare runId: string;
  declare faceIndex: number;
  /** A remembered stranger: naming them enrols their best faces, Ignore dismisses each sighting. */
  declare entryId: string | undefined;
  declare visitorId: string | null | undefined;
  declare alsoIgnore: { runId: string; faceIndex: number }[];
  declare _mode: "" | "existing" | "new";
  declare _busy: boolean;
  declare _error: string;

  constructor() {
    super();
    this._mode = "";
    this._busy = false;
    this._error = "";
    this.alsoIgnore = [];
  }

  private _enrol(api: IntruderAlertApi, tier: Tier, name: string): Promise<unknown> {
    return this.visitorId
      ? api.enrollVisitor(this.entryId, this.visitorId, tier, name)
      : api.enrollRunFace(this.runId, this.faceIndex, tier, name);
  }

  private t = (key: Parameters<typeof localize>[1], values?: Record<string, string | number>) =>
    localize(this.hass, key, values);

  private async _do(action: (api: IntruderAlertApi) => Promise<unknown>, detail: Record<string, unknown>): Promise<void> {
    this._busy = true;
    this._error = "";
    try {
      await action(new IntruderAlertApi(this.hass));
      this.dispatchEvent(new CustomEvent("face-decided", { detail, bubbles: true, composed: true }));
      this._mode = "";
    } catch (error) {
      this._error = errorText(error);
    } finally {
      this._busy = false;
    }
  }

  private _existing(): void {
    const select = this.renderRoot.querySelector<HTMLSelectElement>("select.person");
    if (!select?.value) return;
    const [tier, ...rest] = select.value.split(":");
    const name = rest.join(":");
    void this._do((api) => this._enrol(api, tier as Tier, name), { tier, name });
  }

  private _new(): void {
    const name = this.renderRoot.querySelector<HTMLInputElement>("input.name")?.value.trim() ?? "";
    const tier = (this.renderRoot.querySelector<HTMLSelectElement>("select.tier")?.value ?? "whitelist") as Tier;
    if (!name) return;
    void this._do((api) => this._enrol(api, tier, name), { tier, name });
  }

  private _ignore(): void {
    void this._do(async (api) => {
      for (const face of [{ runId: this.runId, faceIndex: this.faceIndex }, ...this.alsoIgnore]) {
        await api.dismiss(face.runId, face.faceIndex);
      }
    }, { dismissed: true });
  }

  render() {
    const everyone = this.people ? [...this.people.whitelist.map((p) => ["whitelist", p.name]), ...this.people.blacklist.map((p) => ["blacklist", p.name])] : [];
    return html`
      ${this._error ? html`<div class="message error" role="alert">${this._error}</div>` : nothing}
      <div class="row">
        <button ?disabled=${this._busy || !everyone.length} @click=${() => (this._mode = "existing")}>${this.t("face.this_is")}</button>
        <button ?disabled=${this._busy} @click=${() => (this._mode = "new")}>${this.t("face.new_person")}</button>
        <button ?disabled=${this._busy} @click=${this._ignore}>${this.t("face.ignore")}</button>
      </div>
      ${this._mode === "existing"
        ? html`<div class="row form">
            <select class="person" aria-label=${this.t("face.choose")}>
              ${everyone.map(([tier, name]) => html`<option value="${tier}:${name}">${name} (${this.t(`tier.${tier}` as "tier.whitelist")})</option>`)}
            </select>
            <button class="primary" ?disabled=${this._busy} @click=${this._existing}>${this.t("face.add")}</button>
          </div>`
        : nothing}
      ${this._mode === "new"
        ? html`<div class="row form">
            <input class="name" aria-label=${this.t("face.name")} placeholder=${this.t("face.name")} @keydown=${(e: KeyboardEvent) => e.key === "Enter" && this._new()} />
            <select class="tier" aria-label=${this.t("face.tier")}>
              <option value="whitelist">${this.t("tier.whitelist")}</option>
              <option value="blacklist">${this.t("tier.blacklist")}</option>
            </select>
            <button class="primary" ?disabled=${this._busy} @click=${this._new}>${this.t("face.add")}</button>
          </div>`
        : nothing}
    `;
  }

  static styles = [
    shared,
    css`
      .form {
        margin-top: 8px;
      }
      .message {
        margin-bottom: 8px;
      }
    `,
  ];
}

customElements.define("intruder-alert-face-actions", FaceActions);
