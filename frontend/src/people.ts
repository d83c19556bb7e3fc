// People: who is in each list, with the face they were enrolled from; add from a photo, move
// between the lists, remove (forgets them everywhere).
import { LitElement, css, html, nothing } from "lit";
import { IntruderAlertApi, errorText, type HomeAssistant, type People, type Person, type Tier } from "./api";
import { formatDate, localize } from "./strings";
import { rulesSummary } from "./rules";
import { shared } from "./styles";
import "./rules";

const TIERS: Tier[] = ["whitelist", "blacklist"];

function readAsBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ""));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

export class PeopleView extends LitElement {
  static properties = {
    hass: { attribute: false },
    people: { attribute: false },
    accounts: { attribute: false },
    account: { attribute: false },
    _busy: { state: true },
    _error: { state: true },
    _done: { state: true },
    _confirm: { state: true },
    _editing: { state: true },
  };

  declare hass: HomeAssistant;
  declare people: People | undefined;
  declare accounts: { entry_id: string; label: string }[];
  declare account: string | undefined;
  declare _busy: boolean;
  declare _error: string;
  declare _done: string;
  declare _confirm: string;
  declare _editing: string;

  constructor() {
    super();
    this.accounts = [];
    this._busy = false;
    this._error = "";
    this._done = "";
    this._confirm = "";
    this._editing = "";
  }

  private t = (key: Parameters<typeof localize>[1], values?: Record<string, string | number>) =>
    localize(this.hass, key, values);

  private async _act(action: (api: IntruderAlertApi) => Promise<unknown>, done: string): Promise<boolean> {
    this._busy = true;
    this._error = "";
    this._done = "";
    try {
      await action(new IntruderAlertApi(this.hass));
      this._done = done;
      this._confirm = "";
      this.dispatchEvent(new CustomEvent("library-changed", { bubbles: true, composed: true }));
      return true;
    } catch (error) {
      this._error = errorText(error);
      return false;
    } finally {
      this._busy = false;
    }
  }

  private async _upload(): Promise<void> {
    const name = this.renderRoot.querySelector<HTMLInputElement>("input.name")?.value.trim() ?? "";
    const tier = (this.renderRoot.querySelector<HTMLSelectElement>("select.tier")?.value ?? "whitelist") as Tier;
    const input = this.renderRoot.querySelector<HTMLInputElement>("input.photo");
    const file = input?.files?.[0];
    if (!name || !file) return;
    const image = await readAsBase64(file);
    const added = await this._act(
      (api) => api.enrollUpload(this.account, tier, name, image),
      this.t("people.uploaded", { name, tier: this.t(`tier.${tier}`) }),
    );
    if (added) this.renderRoot.querySelector<HTMLFormElement>("form")?.reset();
  }

  private _person(person: Person, tier: Tier) {
    const other: Tier = tier === "whitelist" ? "blacklist" : "whitelist";
    const key = `${tier}:${person.user_id}`;
    return html`
      <div class="card person" data-name=${person.name} data-tier=${tier}>
        <div class="row top">
          ${person.thumbnail_url
            ? html`<img class="face" src=${person.thumbnail_url} alt="" loading="lazy" />`
            : html`<div class="face initials" aria-hidden="true">${person.name.slice(0, 1).toUpperCase()}</div>`}
          <div>
            <div class="name">${person.name}</div>
            <div class="muted">
              ${person.faces === 1 ? this.t("people.face") : this.t("people.faces", { count: person.faces })}${person.added
                ? html` · ${this.t("people.added", { date: formatDate(this.hass, person.added) })}`
                : nothing}
            </div>
          </div>
        </div>
        ${tier === "whitelist"
          ? html`<div class="rules muted">${rulesSummary(this.hass, person.rules)}</div>`
          : nothing}
        ${this._editing === key
          ? html`<intruder-alert-rules
              .hass=${this.hass}
              .account=${this.account}
              .name=${person.name}
              .rules=${person.rules}
              @rules-saved=${() => {
                this._editing = "";
                this._done = this.t("rules.saved", { name: person.name });
                this.dispatchEvent(new CustomEvent("library-changed", { bubbles: true, composed: true }));
              }}
            ></intruder-alert-rules>`
          : nothing}
        ${this._confirm === key
          ? html`<p class="muted">${this.t("people.confirm_remove", { name: person.name, tier: this.t(`tier.${tier}`) })}</p>
              <div class="row">
                <button class="danger" ?disabled=${this._busy} @click=${() => this._act((api) => api.remove(this.account, tier, person.name), this.t("people.removed", { name: person.name }))}>${this.t("people.remove")}</button>
                <button ?disabled=${this._busy} @click=${() => (this._confirm = "")}>${this.t("run.close")}</button>
              </div>`
          : html`<div class="row">
              <button ?disabled=${this._busy} @click=${() => this._act((api) => api.move(this.account, person.name, tier, other), this.t("people.moved", { name: person.name, tier: this.t(`tier.${other}`) }))}>
                ${this.t("people.move_to", { tier: this.t(`tier.${other}`) })}
              </button>
              ${tier === "whitelist"
                ? html`<button ?disabled=${this._busy} aria-expanded=${this._editing === key ? "true" : "false"} @click=${() => (this._editing = this._editing === key ? "" : key)}>${this.t("rules.button")}</button>`
                : nothing}
              <button class="danger" ?disabled=${this._busy} @click=${() => (this._confirm = key)}>${this.t("people.remove")}</button>
            </div>`}
      </div>
    `;
  }

  render() {
    return html`
      ${this.accounts.length > 1
        ? html`<label class="account">${this.t("people.account")}
            <select aria-label=${this.t("people.account")} @change=${(e: Event) =>
              this.dispatchEvent(new CustomEvent("account-changed", { detail: (e.target as HTMLSelectElement).value, bubbles: true, composed: true }))}>
              ${this.accounts.map((account) => html`<option value=${account.entry_id} ?selected=${account.entry_id === this.account}>${account.label}</option>`)}
            </select>
          </label>`
        : nothing}
      ${this._error ? html`<div class="message error" role="alert">${this._error}</div>` : nothing}
      ${this._done ? html`<div class="message info" role="status">${this._done}</div>` : nothing}
      <form class="card add" @submit=${(e: Event) => { e.preventDefault(); void this._upload(); }}>
        <h2>${this.t("people.add_title")}</h2>
        <div class="row">
          <label>${this.t("face.name")}<input class="name" required aria-label=${this.t("face.name")} /></label>
          <label>${this.t("face.tier")}
            <select class="tier" aria-label=${this.t("face.tier")}>
              ${TIERS.map((tier) => html`<option value=${tier}>${this.t(`tier.${tier}`)}</option>`)}
            </select>
          </label>
          <label>${this.t("people.photo")}<input class="photo" type="file" required accept="image/jpeg,image/png" aria-label=${this.t("people.photo")} /></label>
          <button class="primary" type="submit" ?disabled=${this._busy}>${this.t("people.upload")}</button>
        </div>
      </form>
      ${TIERS.map(
        (tier) => html`
          <section class="tier-list" data-tier=${tier}>
            <h2>${this.t(`tier.${tier}`)} <span class="muted">· ${this.t(`tier.${tier}.hint`)}</span></h2>
            ${this.people === undefined
              ? html`<p class="muted">${this.t("loading")}</p>`
              : this.people[tier].length === 0
                ? html`<p class="muted">${this.t("people.empty")}</p>`
                : html`<div class="grid">${this.people[tier].map((person) => this._person(person, tier))}</div>`}
          </section>
        `,
      )}
    `;
  }

  static styles = [
    shared,
    css`
      .add {
        margin-bottom: 16px;
      }
      .add .row {
        align-items: flex-end;
      }
      .account {
        margin-bottom: 16px;
        max-width: 320px;
      }
      .person {
        display: flex;
        flex-direction: column;
        gap: 12px;
      }
      .top {
        flex-wrap: nowrap;
      }
      .name {
        font-weight: 500;
      }
      .initials {
        display: flex;
        align-items: center;
        justify-content: center;
        font-size: 28px;
        color: var(--secondary-text-color);
      }
      section {
        margin-top: 16px;
      }
    `,
  ];
}

customElements.define("intruder-alert-people", PeopleView);
